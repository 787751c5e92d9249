// Per-client rate limiting: one bucket per API key, else per user when authenticated, else per IP; 429 with Retry-After when exceeded.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, HTTP_ERRORS } from '../errors/index.js';
import { isPublicRequest, keyRateLimitOf } from './auth-hook.js';
import { isAnonymous } from '../auth/index.js';

/** The `rateLimit` configuration section. */
export interface RateLimitSettings {
  maxRequests: number;
  windowMs: number;
}

/**
 * The bucket a request counts against. An API key (or service token) is one bucket for all its traffic, including the
 * end users it acts for, so one backend's burst does not spend another's budget; a JWT user is one bucket; anonymous
 * and unauthenticated clients count per IP.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const identity = request.identity;
  const keyId = (identity?.actor ?? identity)?.keyId;
  if (keyId !== undefined) return keyId;
  if (identity && !isAnonymous(identity)) return `user:${identity.userId}`;
  return `ip:${request.ip}`;
}

/** Registers the limiter; must come after the auth hooks and before the routes it applies to. */
export async function installRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  // A key's own `rateLimit` replaces the global one for its bucket only.
  const maxOf = (request: FastifyRequest) => keyRateLimitOf(request)?.maxRequests ?? settings.maxRequests;
  const windowOf = (request: FastifyRequest) => keyRateLimitOf(request)?.windowMs ?? settings.windowMs;
  await app.register(rateLimit, {
    global: true,
    max: maxOf,
    timeWindow: windowOf,
    hook: 'onRequest',
    keyGenerator: rateLimitKey,
    allowList: (request) => isPublicRequest(request),
    errorResponseBuilder: (request, context) => {
      const windowMs = windowOf(request);
      return new AppError(HTTP_ERRORS.rateLimited, `too many requests: at most ${context.max} per ${Math.round(windowMs / 1000)} s; retry in ${context.after}`, {
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        details: { limit: context.max, windowMs },
      });
    },
  });
}
