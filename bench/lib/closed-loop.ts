// A closed-loop load: a fixed number of calls with a fixed number in flight, timed per call and overall.
import { median, percentile } from './stats.js';

export interface ClosedLoopResult {
  /** Completed calls per second over the whole loop. */
  perSecond: number;
  /** Latency of one call, ms. */
  p50: number;
  p99: number;
}

/** Runs `total` calls with `concurrency` in flight; each worker starts its next call as soon as its last one ends. */
export async function closedLoop(concurrency: number, total: number, call: () => Promise<void>): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const begin = performance.now();
        await call();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: total / seconds, p50: median(latencies), p99: percentile(latencies, 99) };
}

/**
 * Like `closedLoop`, for a fixed time instead of a fixed count: workers start calls until `durationMs` has passed, and the
 * rate counts every call that completed, over the time until the last one did (a slow host gives fewer calls, not a longer wait).
 */
export async function closedLoopFor(concurrency: number, durationMs: number, call: () => Promise<void>): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < durationMs) {
        const begin = performance.now();
        await call();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: latencies.length / seconds, p50: median(latencies), p99: percentile(latencies, 99) };
}
