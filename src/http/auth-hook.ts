// Authenticates every non-public request; the failure is raised only after rate limiting, so token guessing is limited too.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';

/** Health checks, metrics scrapes and the docs page work without a token and are not rate-limited. */
export function isPublicRequest(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.public === true) return true;
  const route = request.routeOptions.url;
  // Routes of the docs plugin cannot carry our route config, so they are recognised by prefix; unmatched routes are 404s.
  return route === undefined || route === '/docs' || route.startsWith('/docs/');
}

/** Adds `request.identity` (or `request.authError`) on every request, and raises the error before the body is read. */
export function installAuthHooks(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('identity', null);
  app.decorateRequest('authError', null);
  app.decorateRequest('trace', null);

  app.addHook('onRequest', async (request) => {
    request.trace = {};
    if (isPublicRequest(request)) return;
    try {
      request.identity = await authenticator.authenticate(request.headers.authorization, request.ip);
    } catch (error) {
      request.authError = error;
    }
  });

  // Route-level onRequest hooks (the rate limiter) run before this; a refused token is therefore still counted.
  app.addHook('preParsing', async (request) => {
    if (request.authError) throw request.authError;
  });
}
