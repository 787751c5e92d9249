// Turns a sandbox outcome into a verdict and a human-readable reason: the single place verdicts are decided.
import type { ResourceLimits } from '../domain/limits.js';
import type { Verdict } from '../domain/verdict.js';
import type { SandboxRunResult } from '../sandbox/sandbox.js';
import type { CompareMode } from '../domain/submission.js';
import { compareOutput } from './compare-output.js';
import { outputAsText } from './decode-output.js';

export interface Judgement {
  verdict: Verdict;
  message: string | null;
}

export interface JudgeRunContext {
  /** The limits the program was given (as requested, without any runtime overhead). */
  limits: ResourceLimits;
  /** When set, stdout must match it. */
  expectedOutput: string | null;
  compareMode: CompareMode;
  /** The language's out-of-memory pattern, matched on stderr of a failed run. */
  outOfMemoryPattern?: string | undefined;
}

type RunOutcome = Pick<SandboxRunResult, 'stdout' | 'stderr' | 'exitCode' | 'signal' | 'limitHit'>;

/**
 * How much of the end of stderr is searched for the runtime's out-of-memory message. A runtime reports it as it dies,
 * so it is at the end (with at most a stack trace after it); megabytes written before need not be decoded.
 */
const OUT_OF_MEMORY_TAIL_BYTES = 1024 * 1024;

/**
 * Order matters: a limit the sandbox enforced explains everything after it (a program killed for CPU also has a
 * signal), then how the program ended, then its answer.
 * - `cpu`/`wall` or SIGXCPU → time_limit_exceeded.
 * - `memory` (cgroup OOM kill) or the runtime's own out-of-memory error → memory_limit_exceeded, never runtime_error.
 * - `output` (stdout+stderr cap) and `file-size` → output_limit_exceeded: both mean the program wrote more than it may.
 *   The sandbox reports `file-size` for SIGXFSZ, and for a failed run that left a file at RLIMIT_FSIZE or the work dir
 *   full, so a program that dies of EFBIG or ENOSPC (Python ignores SIGXFSZ) is judged the same as one killed by it.
 * - `processes` (pids limit) → runtime_error: the program could not create a process or thread it asked for.
 * - any other signal or a non-zero exit code → runtime_error.
 * - exit 0 → accepted, or wrong_answer when stdout differs from the expected output.
 */
export function judgeRun(run: RunOutcome, context: JudgeRunContext): Judgement {
  const { limits } = context;
  if (run.limitHit === 'cpu' || run.signal === 'SIGXCPU') return { verdict: 'time_limit_exceeded', message: `CPU time limit of ${limits.cpuTimeMs} ms exceeded` };
  if (run.limitHit === 'wall') return { verdict: 'time_limit_exceeded', message: `wall-time limit of ${limits.wallTimeMs} ms exceeded` };
  if (run.limitHit === 'memory') return { verdict: 'memory_limit_exceeded', message: `memory limit of ${limits.memoryMb} MB exceeded` };
  if (run.limitHit === 'output') return { verdict: 'output_limit_exceeded', message: `output limit of ${limits.outputBytes} bytes (stdout + stderr) exceeded` };
  if (run.limitHit === 'file-size' || run.signal === 'SIGXFSZ') {
    return { verdict: 'output_limit_exceeded', message: `disk write limit exceeded (${limits.fileSizeBytes} bytes per file, ${limits.workDirMb} MB in all)` };
  }
  if (run.limitHit === 'processes') return { verdict: 'runtime_error', message: `process and thread limit of ${limits.processes} reached` };

  const failed = run.signal !== null || (run.exitCode !== null && run.exitCode !== 0);
  if (failed && context.outOfMemoryPattern && new RegExp(context.outOfMemoryPattern, 'm').test(outputAsText(run.stderr.subarray(-OUT_OF_MEMORY_TAIL_BYTES)))) {
    return { verdict: 'memory_limit_exceeded', message: `memory limit of ${limits.memoryMb} MB exceeded (the runtime ran out of memory)` };
  }
  if (run.signal !== null) return { verdict: 'runtime_error', message: `killed by signal ${run.signal}` };
  if (run.exitCode === null) return { verdict: 'internal_error', message: 'the sandbox reported neither an exit code nor a signal' };
  if (run.exitCode !== 0) return { verdict: 'runtime_error', message: `exited with code ${run.exitCode}` };

  if (context.expectedOutput !== null) {
    const comparison = compareOutput(run.stdout, context.expectedOutput, context.compareMode);
    if (!comparison.equal) return { verdict: 'wrong_answer', message: `output differs from the expected output at line ${comparison.firstDifferentLine}` };
  }
  return { verdict: 'accepted', message: null };
}

/** A compile either succeeds (`accepted`) or is a `compilation_error`, whatever stopped it; the reason says which. */
export function judgeCompile(run: RunOutcome, limits: ResourceLimits): Judgement {
  if (run.limitHit === null && run.signal === null && run.exitCode === 0) return { verdict: 'accepted', message: null };
  const reason = judgeRun(run, { limits, expectedOutput: null, compareMode: 'trimmed' });
  const detail = reason.verdict === 'runtime_error' && run.exitCode !== null ? `the compiler exited with code ${run.exitCode}` : reason.message;
  return { verdict: 'compilation_error', message: `compilation failed: ${detail}` };
}
