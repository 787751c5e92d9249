// Retries a store write while the database is unreachable, with capped exponential backoff, so a finished run is not lost.
import { isAppError, STORE_ERRORS } from '../errors/index.js';

/** How long and how often a write is retried while the store answers RUNLANE_ERR_STORE_UNAVAILABLE. */
export interface StoreRetryOptions {
  /** First pause between tries, ms; doubled after each. @defaultValue 200 */
  initialDelayMs?: number;
  /** Longest pause between tries, ms. @defaultValue 5000 */
  maxDelayMs?: number;
  /**
   * Stop retrying after this long and throw the last error, ms. Unbounded by default: a run's handler that gave up
   * would fail its job on the queue while its row stays `running`; retrying instead keeps the lease renewed, and a
   * node that shuts down hands the job back to the queue. @defaultValue Infinity
   */
  maxTotalMs?: number;
}

/** What the caller adds for one write. */
export interface PersistHooks {
  /** True when retrying no longer makes sense (the node is shutting down); the last error is thrown. */
  giveUp?: () => boolean;
  /** Told before each pause. */
  onRetry?: (error: unknown, delayMs: number) => void;
}

/**
 * Runs `write` until it resolves. Only an unreachable store is retried: any other error (a bad query, a refused move)
 * is thrown at once, as retrying it would change nothing.
 */
export async function persistently<T>(write: () => Promise<T>, options: StoreRetryOptions & PersistHooks = {}): Promise<T> {
  const { initialDelayMs = 200, maxDelayMs = 5_000, maxTotalMs = Number.POSITIVE_INFINITY } = options;
  const deadline = Date.now() + maxTotalMs;
  let delay = initialDelayMs;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isUnavailable(error) || options.giveUp?.() === true || Date.now() + delay > deadline) throw error;
      options.onRetry?.(error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }
}

function isUnavailable(error: unknown): boolean {
  return isAppError(error) && error.code === STORE_ERRORS.unavailable.code;
}
