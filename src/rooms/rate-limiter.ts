// Token buckets for socket events: bursts are fine, a sustained flood is refused event by event; kept in-process or shared through Redis.
import type { RateLimitOptions } from './realtime-options.js';

/** Refills continuously at `perSecond` up to `burst`; one token per event. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = options.burst;
    this.updatedAt = now();
  }

  /** Takes `cost` tokens when available; false means the event must be refused. */
  take(cost = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.options.perSecond);
    this.updatedAt = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

/**
 * Where named token buckets live. The embedded node keeps them in its process; a cluster can keep them in Redis so that
 * a bucket keyed by something wider than one connection (a user, an API key) is one budget across API nodes.
 */
export interface TokenBucketStore {
  /** Takes `cost` tokens from bucket `key` (full when new); false means the event must be refused. */
  take(key: string, options: RateLimitOptions, cost?: number): Promise<boolean>;
}

/** Buckets in this process: one {@link TokenBucket} per key, forgotten once it has refilled (a full bucket is the default). */
export class MemoryTokenBucketStore implements TokenBucketStore {
  private readonly buckets = new Map<string, { bucket: TokenBucket; fullAt: number }>();
  /** Size at which refilled buckets are swept out; doubles with the live ones so a sweep stays amortised O(1). */
  private sweepAt = 1024;

  constructor(private readonly now: () => number = () => performance.now()) {}

  async take(key: string, options: RateLimitOptions, cost = 1): Promise<boolean> {
    const now = this.now();
    let entry = this.buckets.get(key);
    if (entry === undefined || entry.fullAt <= now) entry = { bucket: new TokenBucket(options, this.now), fullAt: now };
    const taken = entry.bucket.take(cost);
    // An empty bucket is full again burst/perSecond seconds later; until then it must be remembered.
    entry.fullAt = now + (options.burst / options.perSecond) * 1000;
    this.buckets.set(key, entry);
    if (this.buckets.size > this.sweepAt) {
      for (const [other, { fullAt }] of this.buckets) if (fullAt <= now) this.buckets.delete(other);
      this.sweepAt = Math.max(1024, this.buckets.size * 2);
    }
    return taken;
  }
}

/** The one Redis call the shared store makes (an ioredis client fits), so this module needs no Redis driver. */
export interface RedisScriptClient {
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
}

/**
 * Refill and take in one script, on Redis's clock (TIME), so every API node sees the same bucket whatever its own clock
 * says; the key expires once the bucket would be full again, leaving nothing behind for idle clients.
 */
const TAKE = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local burst, per_second, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * per_second)
local taken = 0
if tokens >= cost then
  tokens = tokens - cost
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / per_second * 1000) + 1000)
return taken
`;

/**
 * Buckets in Redis under `<keyPrefix><key>`, shared by every process using the same prefix. A Redis error rejects
 * `take`: the caller decides whether that refuses the event or lets it through.
 */
export class RedisTokenBucketStore implements TokenBucketStore {
  constructor(
    private readonly redis: RedisScriptClient,
    /** e.g. `runlane:<prefix>:rate:socket:` */
    private readonly keyPrefix: string,
  ) {}

  async take(key: string, options: RateLimitOptions, cost = 1): Promise<boolean> {
    const taken = await this.redis.eval(TAKE, 1, `${this.keyPrefix}${key}`, options.burst, options.perSecond, cost);
    return Number(taken) === 1;
  }
}
