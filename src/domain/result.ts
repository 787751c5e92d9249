// Results of runs: resource figures, per-stage and per-test-case outcomes, and the overall execution result.

import type { Verdict } from './verdict.js';

/** Figures measured for one sandboxed process tree. */
export interface RunFigures {
  /** CPU time of every process in the run, from cgroup accounting. */
  cpuTimeMs: number;
  wallTimeMs: number;
  /** Peak memory of the run, from the cgroup. */
  memoryKb: number;
  /** Exit code when the program exited normally, else null. */
  exitCode: number | null;
  /** Signal name (`SIGKILL`, `SIGSEGV`, …) when the program was killed by one, else null. */
  signal: string | null;
}

/** How output text is delivered: UTF-8 with replacement characters for invalid bytes, or base64 of the raw bytes. */
export type OutputEncoding = 'utf8' | 'base64';

/** Outcome of one stage (compile, or one run of the program). */
export interface StageResult extends RunFigures {
  verdict: Verdict;
  stdout: string;
  stderr: string;
  /** True when stdout/stderr contained bytes that are not valid UTF-8 (shown as U+FFFD in utf8 mode). */
  invalidUtf8: boolean;
  /** Human-readable detail for the verdict (e.g. which limit was hit). */
  message: string | null;
  /**
   * Set (true) when `stdout` is shorter than what the run wrote within its own output limit: cut to fit the submission's
   * output budget, or to a preview's size. Absent means the text is complete. Never changes the verdict.
   */
  stdoutTruncated?: boolean;
  /** As `stdoutTruncated`, for `stderr`. */
  stderrTruncated?: boolean;
}

export interface TestCaseResult extends StageResult {
  index: number;
  /** Expected output, echoed back when one was given. */
  expectedOutput: string | null;
}

/** Everything an execution produced. */
export interface ExecutionResult {
  verdict: Verdict;
  /** Compile stage result; null for interpreted languages. */
  compile: StageResult | null;
  /** Whether the compiled artifact came from the compile cache. */
  compileCached: boolean;
  /** One entry per test case; a submission without test cases has exactly one run. */
  testCases: TestCaseResult[];
  /** Convenience copies of the first (or only) run, the shape most clients want. */
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  /**
   * Figures of the program's runs only (the compile has its own, in `compile`): the largest CPU time, wall time and peak
   * memory over the test cases, each being what that case's limit was checked against. A compilation error has no run;
   * its figures are then the compile's.
   */
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  /**
   * Version of the toolchain that ran the program (`3.11.2`, `17.0.15`), as detected when the node started. Absent in
   * results recorded before it was kept, and when the toolchain's version could not be read.
   */
  toolchainVersion?: string;
  message: string | null;
  /**
   * Set (true) when some output of this execution is not in it: a stage's stdout or stderr was cut to fit the
   * submission's output budget or a preview's size, or (in previews) an expected output was cut. Absent means complete.
   */
  outputTruncated?: boolean;
}
