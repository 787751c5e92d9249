// GET /api/v1/languages: the catalogue with what this node has installed.
import { capLimits, mergeLimits, type ResourceLimits } from '../../domain/limits.js';
import type { LanguageStatus } from '../../languages/language.js';
import { ERROR_RESPONSES } from '../../contract/rest/common.js';
import { LanguagesJson } from '../../contract/rest/service.js';
import type { HttpApp, HttpAppDeps } from '../types.js';

/** Registers `GET /api/v1/languages`. */
export function registerLanguageRoutes(app: HttpApp, { service, config }: HttpAppDeps): void {
  app.get(
    '/api/v1/languages',
    {
      schema: {
        tags: ['service'],
        summary: 'Languages of the catalogue and whether this node can run them',
        response: { 200: LanguagesJson, ...ERROR_RESPONSES },
      },
    },
    async () => ({
      languages: service.languages().map((language) => toLanguageJson(language, config.limits.run, config.limits.max)),
      maxLimits: { ...config.limits.max },
    }),
  );
}

function toLanguageJson(language: LanguageStatus, runDefaults: ResourceLimits, maxima: ResourceLimits) {
  return {
    id: language.id,
    aliases: language.aliases,
    displayName: language.displayName,
    version: language.version,
    installed: language.installed,
    unavailableReason: language.unavailableReason,
    compiled: language.compile !== null,
    sourceFile: language.sourceFile,
    editorMode: language.editorMode,
    helloWorld: language.helloWorld,
    // A language's own defaults never exceed the server maxima (the engine caps them the same way).
    defaultLimits: capLimits(mergeLimits(runDefaults, language.runLimits), maxima),
  };
}
