// Authenticates every non-public request; the failure is raised only after rate limiting, so token guessing is limited too.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACT_AS_HEADER, actAs, type KeyRateLimit } from '../auth/index.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { Identity } from '../domain/identity.js';

/** Health checks, metrics scrapes and the docs page work without a token and are not rate-limited. */
export function isPublicRequest(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.public === true) return true;
  const route = request.routeOptions.url;
  // Routes of the docs plugin cannot carry our route config, so they are recognised by prefix; unmatched routes are 404s.
  return route === undefined || route === '/docs' || route.startsWith('/docs/');
}

const keyBudgets = new WeakMap<FastifyRequest, KeyRateLimit>();

/** The request budget of the API key the request came with, when that key has one of its own. */
export function keyRateLimitOf(request: FastifyRequest): KeyRateLimit | undefined {
  return keyBudgets.get(request);
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
      const identity = actingFor(request, await authenticator.authenticate(request.headers.authorization, request.ip));
      request.identity = identity;
      const budget = authenticator.rateLimitOf(identity);
      if (budget) keyBudgets.set(request, budget);
    } catch (error) {
      request.authError = error;
    }
  });

  // Route-level onRequest hooks (the rate limiter) run before this; a refused token is therefore still counted.
  app.addHook('preParsing', async (request) => {
    if (request.authError) throw request.authError;
  });
}

/**
 * A service names the end user of a request without a body (read, cancel, history) in the `Runlane-Act-As` header;
 * the request then runs as that user, so the read and cancel rules see the owner. Refused (403) from non-services.
 */
function actingFor(request: FastifyRequest, caller: Identity): Identity {
  const header = request.headers[ACT_AS_HEADER];
  if (header === undefined) return caller;
  const userId = Array.isArray(header) ? header.join(',') : header;
  return actAs(caller, { userId });
}
