// Measures several variants of one action in the same run, interleaved, in repeats: per-run times and closed-loop throughput.
import { closedLoopFor } from './closed-loop.js';
import { timed } from './bare-spawn.js';

/** One way of doing the measured thing; the first variant of a list is the baseline. */
export interface Variant {
  label: string;
  action: () => Promise<void>;
}

/** How many runs a repeat makes: `runs`, fewer (never under `minimum`) once the repeat has used `budgetMs`. */
export interface RunBudget {
  runs: number;
  budgetMs: number;
  minimum?: number;
}

/**
 * Per-run wall times, ms: `[variant][repeat] → samples`. Each iteration runs every variant once, in an order that rotates,
 * so background load and any ordering effect hit every variant alike. A time budget per repeat keeps a quick pass quick on a
 * busy host: it then makes fewer runs, every variant the same number.
 */
export async function interleavedTimes(variants: readonly Variant[], repeats: number, budget: RunBudget, warmUp = 3): Promise<number[][][]> {
  for (const variant of variants) for (let i = 0; i < warmUp; i++) await variant.action();
  const times = variants.map(() => Array.from({ length: repeats }, () => [] as number[]));
  for (let repeat = 0; repeat < repeats; repeat++) {
    const started = performance.now();
    for (let i = 0; i < budget.runs; i++) {
      if (i >= (budget.minimum ?? 5) && performance.now() - started > budget.budgetMs) break;
      for (let k = 0; k < variants.length; k++) {
        const index = (i + k) % variants.length;
        times[index]![repeat]!.push(await timed(variants[index]!.action));
      }
    }
  }
  return times;
}

/**
 * Completed calls per second with `level` in flight for `windowMs`: `[variant][level index][repeat] → rate`. Within a repeat
 * every level runs every variant back to back, the order rotating between repeats.
 */
export async function throughputRounds(variants: readonly Variant[], levels: readonly number[], repeats: number, windowMs: number): Promise<number[][][]> {
  const rates = variants.map(() => levels.map(() => [] as number[]));
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const [levelIndex, level] of levels.entries()) {
      for (let k = 0; k < variants.length; k++) {
        const index = (repeat + k) % variants.length;
        rates[index]![levelIndex]!.push((await closedLoopFor(level, windowMs, variants[index]!.action)).perSecond);
      }
    }
  }
  return rates;
}

/** 1, 2, cores, 2 × cores (each once, ascending): the concurrency levels of the throughput curves. */
export function concurrencyLevels(cores: number): number[] {
  return [...new Set([1, 2, cores, 2 * cores])].sort((a, b) => a - b);
}

/**
 * Time left for measuring in a quick pass: until `end`, less `reserveMs` for closing down; null without a deadline.
 * Never below `floorMs`, so a late scenario still measures something.
 */
export function timeLeft(end: number | null, reserveMs: number, floorMs = 1_000): number | null {
  return end === null ? null : Math.max(floorMs, end - performance.now() - reserveMs);
}

/** A measuring window that fits `count` windows into `budgetMs`, each also waiting out one call of `callMs` that is still in flight. */
export function windowFor(budgetMs: number, count: number, callMs: number, floorMs = 60): number {
  return Math.max(floorMs, budgetMs / count - callMs);
}
