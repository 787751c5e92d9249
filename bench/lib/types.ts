// The contract between the benchmark runner and its scenarios: each scenario module exports `name` and `run(ctx)`.
import type { BenchChart } from '../../src/cli/commands/bench-chart.js';

export type { BenchChart };

/** One row of a scenario's result table; columns are free-form, numbers are rendered with sensible precision. */
export type BenchRow = Record<string, string | number | null>;

/** What the runner gives every scenario. */
export interface BenchContext {
  /** Logical CPUs of this host; "saturation" means this many runs at once. */
  cores: number;
  /** Scales an iteration count by BENCH_SCALE (e.g. 0.2 for a quick pass), never below `minimum`. */
  iterations(count: number, minimum?: number): number;
  /** A private temporary directory for the scenario, removed afterwards. */
  tmpDir: string;
  /** Progress line on stderr (stdout carries the result table). */
  log(message: string): void;
  /** True for a `--quick` pass: scenarios shorten waits that are not iteration counts (idle windows). */
  quick: boolean;
  /**
   * Quick pass only: when this scenario should be done (a `performance.now()` time), its share of the pass's minute;
   * scenarios size their measuring windows from what is left after set-up. null: no deadline (full pass).
   */
  deadline: number | null;
  /** Adds a chart to bench/results/latest.svg. */
  chart(chart: BenchChart): void;
  /** Adds one of the target figures to the targets table at the top of the report. */
  target(figure: TargetFigure): void;
}

/** One headline figure, a same-run ratio or difference, over repeats, with its goal. */
export interface TargetFigure {
  /** What is measured, e.g. `C hello: median overhead over bare`. */
  figure: string;
  /** Which implementation or variant, e.g. `resident`. */
  variant: string;
  /** `ms`, `×` (a ratio to the baseline) or another unit. */
  unit: string;
  min: number;
  median: number;
  max: number;
  repeats: number;
  /** The goal as written in the issue (`≤ 2 ms`), or `reported` when there is none. */
  goal: string;
  /** Whether the median meets the goal; null when there is no goal. */
  met: boolean | null;
}

/** A scenario module's exports. */
export interface BenchScenario {
  /** Short kebab-case name, the same as the module's file name; also used to select scenarios on the command line. */
  name: string;
  /** One sentence saying what is measured and against which baseline. */
  description?: string;
  /** Relative share of a quick pass's time this scenario gets (default 1). */
  quickWeight?: number;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** One scenario's outcome in results/latest.json. */
export interface ScenarioResult {
  name: string;
  description: string | null;
  durationMs: number;
  rows: BenchRow[];
  charts: BenchChart[];
  targets: TargetFigure[];
  /** Set when the scenario threw; other scenarios still run. */
  error: string | null;
}
