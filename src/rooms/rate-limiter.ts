// A token bucket per connection: bursts are fine, a sustained flood is refused event by event.
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
