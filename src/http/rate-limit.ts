// Per-client rate limiting: keyed by user id when authenticated, else by IP; 429 with Retry-After when exceeded.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, HTTP_ERRORS } from '../errors/index.js';
import { isPublicRequest } from './auth-hook.js';
import { isAnonymous } from '../auth/index.js';

/** The `rateLimit` configuration section. */
export interface RateLimitSettings {
  maxRequests: number;
  windowMs: number;
}

/** The bucket a request counts against: one per user, one per IP for anonymous or unauthenticated clients. */
export function rateLimitKey(request: FastifyRequest): string {
  const identity = request.identity;
  if (identity && !isAnonymous(identity)) return `user:${identity.userId}`;
  return `ip:${request.ip}`;
}

/** Registers the limiter; must come after the auth hooks and before the routes it applies to. */
export async function installRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: settings.maxRequests,
    timeWindow: settings.windowMs,
    hook: 'onRequest',
    keyGenerator: rateLimitKey,
    allowList: (request) => isPublicRequest(request),
    errorResponseBuilder: (_request, context) =>
      new AppError(HTTP_ERRORS.rateLimited, `too many requests: at most ${context.max} per ${Math.round(settings.windowMs / 1000)} s; retry in ${context.after}`, {
        retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)),
        details: { limit: context.max, windowMs: settings.windowMs },
      }),
  });
}
