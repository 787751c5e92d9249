// GET /version: which Runlane, Node.js and sandbox answer; public like /health, and free of paths and secrets.
import { Type } from '@sinclair/typebox';
import { ERROR_RESPONSES } from '../../contract/rest/common.js';
import type { PackageInfo } from '../package-info.js';
import type { HttpApp, HttpAppDeps } from '../types.js';

const VersionJson = Type.Object({
  name: Type.String({ description: 'The package name, `runlane`' }),
  version: Type.String({ description: 'Runlane\'s version' }),
  node: Type.String({ description: 'The Node.js version the server runs on, e.g. `v22.11.0`' }),
  sandbox: Type.Object({
    implementation: Type.String({ description: 'What runs programs, `resident` or `bwrap`' }),
    version: Type.String({ description: 'Version of its isolation tool' }),
  }),
});

/** Registers the public `/version`. */
export function registerVersionRoutes(app: HttpApp, { service }: HttpAppDeps, info: PackageInfo): void {
  app.get(
    '/version',
    {
      config: { public: true },
      schema: {
        tags: ['service'],
        summary: 'Versions of Runlane, Node.js and the sandbox',
        security: [],
        response: { 200: VersionJson, ...ERROR_RESPONSES },
      },
    },
    async () => {
      const { sandbox } = await service.health();
      // Only names and version strings: the response schema drops anything else the capabilities might carry.
      return { name: info.name, version: info.version, node: process.version, sandbox: { implementation: sandbox.implementation, version: sandbox.version } };
    },
  );
}
