// The Engine interface: compile once, run each test case in the sandbox, and turn outcomes into verdicts.
import type { ExecutionResult, StageResult } from '../domain/result.js';
import type { ExecutionRequest } from '../domain/submission.js';
import type { ResourceLimits } from '../domain/limits.js';
import type { LanguageStatus } from '../languages/language.js';
import type { SandboxHealth, SandboxProcess } from '../sandbox/sandbox.js';

/** Progress the engine reports while it works (the rooms layer forwards some of it). */
export type EngineEvent =
  | { type: 'compile-started' }
  | { type: 'compile-finished'; cached: boolean; result: StageResult | null }
  | { type: 'test-case-finished'; index: number; verdict: StageResult['verdict'] };

export interface ExecuteOptions {
  /** Aborting stops compile and runs; the result is then what was finished, with `internal_error` never claimed for the abort. */
  signal?: AbortSignal;
  onEvent?: (event: EngineEvent) => void;
  /** Carried into logs. */
  executionId?: string;
  correlationId?: string;
}

/** An interactive program: compiled if needed, then started with live streams. */
export interface InteractiveStart {
  /** Present when compilation failed: nothing was started. */
  compileError: StageResult | null;
  process: SandboxProcess | null;
  limits: ResourceLimits;
  /**
   * Settles once the process has ended, with its verdict and figures (stdout/stderr are empty: they were streamed);
   * for a compile error it is the compile verdict. Never rejects on a program failure.
   */
  outcome: Promise<ExecutionResult>;
}

export interface Engine {
  /** Languages of the catalogue with what this node detected. */
  languages(): LanguageStatus[];
  /** Runs a normalised request (see submissions/normalise-request.ts) to its verdict. Rejects only on a service fault; a program's failure is a verdict. */
  execute(request: ExecutionRequest, options?: ExecuteOptions): Promise<ExecutionResult>;
  /** Compiles (with the cache) and starts a program with live stdin/stdout/stderr. */
  startInteractive(request: ExecutionRequest, options?: ExecuteOptions): Promise<InteractiveStart>;
  /** Slot figures of the sandbox the engine runs in, for /health; absent when the engine has no sandbox of its own. */
  sandboxHealth?(): SandboxHealth;
}
