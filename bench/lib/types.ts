// The contract between the benchmark runner and its scenarios: each scenario module exports `name` and `run(ctx)`.

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
}

/** A scenario module's exports. */
export interface BenchScenario {
  /** Short kebab-case name, also used to select scenarios on the command line. */
  name: string;
  /** One sentence saying what is measured and against which baseline. */
  description?: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

/** One scenario's outcome in results/latest.json. */
export interface ScenarioResult {
  name: string;
  description: string | null;
  durationMs: number;
  rows: BenchRow[];
  /** Set when the scenario threw; other scenarios still run. */
  error: string | null;
}
