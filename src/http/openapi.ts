// The OpenAPI document (from every route's schema) and the docs page at /docs, served from local files only.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/** Groups of routes on the docs page. */
export const API_TAGS = [
  { name: 'submissions', description: 'Submit code, read results, cancel' },
  { name: 'queue', description: 'What is running and waiting' },
  { name: 'rooms', description: 'History, stats and queue of a collaborative room' },
  { name: 'service', description: 'Languages, stats, health, version and metrics' },
  { name: 'compat', description: 'Routes compatible with the systems Runlane replaces (seed documents 000, 002, 003, 004)' },
  { name: 'admin', description: 'Operations for admins: dead letters' },
];

/** Registers the spec generator; must run before any route is added so every route is documented. */
export async function installOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Runlane API',
        version,
        description: 'Run untrusted code in many languages: submit, poll or wait, read verdicts and figures. Errors are `{ error: { code, message } }`; codes are listed in docs/errors.md.',
      },
      tags: API_TAGS,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A JWT (HS256, the server\'s secret) or an API key' },
        },
      },
      security: [{ bearer: [] }],
    },
  });
}

/** Serves the interactive docs at /docs and the JSON document at /docs/json; assets come from the package, no CDN. */
export async function installDocsPage(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // The default validator badge would send the spec to an external service.
    uiConfig: { docExpansion: 'list', deepLinking: true, validatorUrl: null },
    staticCSP: false,
  });
}
