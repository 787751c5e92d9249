// Per-client rate limiting: one bucket per API key, else per user when authenticated, else per IP; 429 with Retry-After when exceeded.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, HTTP_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import { isPublicRequest, keyRateLimitOf } from './auth-hook.js';
import { isAnonymous } from '../auth/index.js';
import { createRedisRateLimitStore } from './redis-rate-limit/redis-rate-limit-store.js';

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

/** Where the counters live: in this process (the embedded node), or in the cluster's Redis so all API nodes share them. */
export type RateLimitCounters = { kind: 'memory' } | { kind: 'redis'; url: string; prefix: string; logger: Logger };

/**
 * Registers the limiter; must come after the auth hooks and before the routes it applies to. With Redis counters a
 * client's budget is one across every API node; if Redis cannot be reached the limiter fails open (requests pass, an
 * error is logged every few seconds): submissions get the queue's own 503 then anyway, and reads keep working.
 */
export async function installRateLimit(app: FastifyInstance, settings: RateLimitSettings, counters: RateLimitCounters = { kind: 'memory' }): Promise<void> {
  // A key's own `rateLimit` replaces the global one for its bucket only.
  const maxOf = (request: FastifyRequest) => keyRateLimitOf(request)?.maxRequests ?? settings.maxRequests;
  const windowOf = (request: FastifyRequest) => keyRateLimitOf(request)?.windowMs ?? settings.windowMs;
  const shared = counters.kind === 'redis' ? createRedisRateLimitStore(counters) : null;
  if (shared) {
    app.addHook('onClose', () => shared.close());
    await shared.ready();
  }
  await app.register(rateLimit, {
    ...(shared ? { store: shared.Store, skipOnError: true } : {}),
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
