// The REST rate limiter's counters in Redis, so every API node of a cluster spends one budget per client instead of its own.
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { Logger } from '../../logging/logger.js';

/** Options of {@link createRedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** redis://… of the cluster (`redis.url`). */
  url: string;
  /** The cluster's key prefix (`redis.prefix`): counters live under `runlane:<prefix>:rate:http:`. */
  prefix: string;
  logger: Logger;
  /** Shortest interval between two "not enforced" warnings while Redis stays unreachable, ms. @defaultValue 10000 */
  warnEveryMs?: number;
}

/** A store class for @fastify/rate-limit's `store` option, and the connection it owns. */
export interface RedisRateLimitStore {
  Store: FastifyRateLimitStoreCtor;
  /** Resolves once connected, or after the connect timeout (the limiter then fails open until Redis is there). */
  ready(): Promise<void>;
  /** Closes the Redis connection (the app's onClose). */
  close(): Promise<void>;
}

/**
 * One fixed window per key, as the in-memory store counts: the first hit sets the window's expiry, later hits only count.
 * Atomic in one script, so two API nodes incrementing at once never both see the last free slot.
 */
const INCREMENT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if current == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

const CONNECT_TIMEOUT_MS = 2_000;

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * Opens the connection and returns the store class. Commands never wait for a reconnect (no offline queue, one retry):
 * while Redis is unreachable each increment fails at once, the limiter lets the request through (`skipOnError`), and a
 * warning says rate limits are not enforced — at most every `warnEveryMs`, and once more when they are again.
 */
export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  const { logger } = options;
  const warnEveryMs = options.warnEveryMs ?? 10_000;
  const redis = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: CONNECT_TIMEOUT_MS, connectionName: 'runlane-rate-limit' });
  let failingSince: number | null = null;
  let lastWarning = 0;
  const failed = (error: unknown): void => {
    const now = Date.now();
    failingSince ??= now;
    if (now - lastWarning < warnEveryMs) return;
    lastWarning = now;
    logger.error({ err: error, failingForMs: now - failingSince }, 'rate limits are NOT enforced: the limiter cannot reach Redis, so requests pass unlimited until it is back');
  };
  const succeeded = (): void => {
    if (failingSince === null) return;
    logger.warn({ failedForMs: Date.now() - failingSince }, 'rate limits are enforced again: the limiter reaches Redis');
    failingSince = null;
    lastWarning = 0;
  };
  // Connection errors are reported by the failing increments; without a listener ioredis would print each one.
  redis.on('error', () => undefined);
  const base = `runlane:${options.prefix}:rate:http:`;

  class Store implements FastifyRateLimitStore {
    constructor(
      _options?: FastifyRateLimitOptions,
      private readonly namespace: string = base,
    ) {}

    incr(key: string, callback: Callback, timeWindow?: number, _max?: number): void {
      redis.eval(INCREMENT, 1, `${this.namespace}${key}`, String(timeWindow ?? 60_000)).then(
        (reply) => {
          succeeded();
          const [current, ttl] = reply as [number, number];
          callback(null, { current, ttl });
        },
        (error: unknown) => {
          failed(error);
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }

    /** A route with its own limit counts in buckets of its own. */
    child(routeOptions: { method?: unknown; url?: unknown; routeInfo?: { method?: unknown; url?: unknown } }): FastifyRateLimitStore {
      const route = routeOptions.routeInfo ?? routeOptions;
      return new Store(undefined, `${this.namespace}${String(route.method)}${String(route.url)}:`);
    }
  }

  return {
    Store: Store as unknown as FastifyRateLimitStoreCtor,
    // Without the offline queue, commands sent before the first connect would fail: wait for it, within the connect timeout.
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS);
            redis.once('ready', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
