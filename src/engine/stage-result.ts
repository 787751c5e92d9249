// Builds the result shapes of domain/result.ts from sandbox outcomes and verdicts.
import type { ExecutionResult, OutputEncoding, StageResult, TestCaseResult } from '../domain/result.js';
import { overallVerdict } from '../domain/verdict.js';
import type { SandboxRunResult } from '../sandbox/sandbox.js';
import type { Judgement } from './judge-run.js';
import { OutputBudget } from './output-budget.js';

/** The part of a sandbox outcome the engine keeps (the compile cache stores exactly this). */
export type RunRecord = Pick<SandboxRunResult, 'stdout' | 'stderr' | 'exitCode' | 'signal' | 'cpuTimeMs' | 'wallTimeMs' | 'memoryKb' | 'limitHit'>;

/**
 * One stage's result with its output decoded for delivery: only what fits the budget is decoded, and a cut stream is
 * marked truncated. The verdict comes from the judgement, which saw all of the output.
 */
export function stageResult(run: RunRecord, judgement: Judgement, encoding: OutputEncoding, budget: OutputBudget = OutputBudget.unlimited()): StageResult {
  const { stdout, stderr } = budget.keep(run.stdout, run.stderr, encoding);
  return {
    verdict: judgement.verdict,
    stdout: stdout.text,
    stderr: stderr.text,
    invalidUtf8: stdout.invalidUtf8 || stderr.invalidUtf8,
    message: judgement.message,
    cpuTimeMs: run.cpuTimeMs,
    wallTimeMs: run.wallTimeMs,
    memoryKb: run.memoryKb,
    exitCode: run.exitCode,
    signal: run.signal,
    ...truncationFlags(stdout.truncated, stderr.truncated),
  };
}

/** A stage decoded earlier (the compile stage), cut to what the budget has left for it. */
export function boundStage(stage: StageResult, encoding: OutputEncoding, budget: OutputBudget): StageResult {
  const { stdout, stderr } = budget.keepText(stage.stdout, stage.stderr, encoding);
  const { stdoutTruncated, stderrTruncated, ...rest } = stage;
  return { ...rest, stdout: stdout.text, stderr: stderr.text, ...truncationFlags(stdout.truncated || stdoutTruncated === true, stderr.truncated || stderrTruncated === true) };
}

/**
 * A failed compile's messages as one text, as the top-level `stderr` shows them: stdout then stderr of the compiler
 * (tsc reports errors on stdout). In base64 the bytes are joined, not the two encodings.
 */
export function joinCompilerOutput(stage: StageResult, encoding: OutputEncoding): string {
  if (encoding === 'utf8') return stage.stdout + stage.stderr;
  return Buffer.concat([Buffer.from(stage.stdout, 'base64'), Buffer.from(stage.stderr, 'base64')]).toString('base64');
}

/** The optional truncation fields: present only when set, as the domain type documents. */
function truncationFlags(stdout: boolean, stderr: boolean): Pick<StageResult, 'stdoutTruncated' | 'stderrTruncated'> {
  return { ...(stdout ? { stdoutTruncated: true } : {}), ...(stderr ? { stderrTruncated: true } : {}) };
}

export interface SummaryInput {
  compile: StageResult | null;
  compileCached: boolean;
  /** The compiler's stdout and stderr together (tsc reports errors on stdout), for a failed compile; within the output budget. */
  compilerOutput: string;
  /** Finished test cases, in any order. */
  testCases: TestCaseResult[];
  /** How many runs were asked for; fewer finished when the execution was stopped. */
  expectedRuns: number;
  /** Detected version of the language's toolchain, carried into the result when known. */
  toolchainVersion?: string | null;
}

/** Folds the stages into one ExecutionResult: overall verdict, first-run convenience copies, and figures. */
export function summarize(input: SummaryInput): ExecutionResult {
  const { compile, compileCached } = input;
  const version = input.toolchainVersion ? { toolchainVersion: input.toolchainVersion } : {};
  if (compile && compile.verdict !== 'accepted') {
    // No run happened: the figures are the compile's, all three from the same stage (a cached compile's as first measured).
    return {
      verdict: 'compilation_error', compile, compileCached, testCases: [],
      stdout: '', stderr: input.compilerOutput, exitCode: null, signal: null,
      cpuTimeMs: compile.cpuTimeMs, wallTimeMs: compile.wallTimeMs, memoryKb: compile.memoryKb, message: compile.message,
      ...version,
      ...(isTruncated(compile) ? { outputTruncated: true } : {}),
    };
  }
  const testCases = [...input.testCases].sort((a, b) => a.index - b.index);
  const first = testCases[0];
  const verdict = overallVerdict(testCases.map((testCase) => testCase.verdict));
  const truncated = (compile !== null && isTruncated(compile)) || testCases.some(isTruncated);
  return {
    verdict, compile, compileCached, testCases,
    stdout: first?.stdout ?? '',
    stderr: first?.stderr ?? '',
    exitCode: first?.exitCode ?? null,
    signal: first?.signal ?? null,
    // The runs only, each figure the largest over the test cases: the same stages for CPU and wall time, and what the
    // per-case limits were checked against. How long the whole submission took is finishedAt - startedAt.
    cpuTimeMs: Math.max(0, ...testCases.map((testCase) => testCase.cpuTimeMs)),
    wallTimeMs: Math.max(0, ...testCases.map((testCase) => testCase.wallTimeMs)),
    memoryKb: Math.max(0, ...testCases.map((testCase) => testCase.memoryKb)),
    message: summaryMessage(testCases, input.expectedRuns),
    ...version,
    ...(truncated ? { outputTruncated: true } : {}),
  };
}

function isTruncated(stage: StageResult): boolean {
  return stage.stdoutTruncated === true || stage.stderrTruncated === true;
}

function summaryMessage(testCases: TestCaseResult[], expectedRuns: number): string | null {
  if (testCases.length < expectedRuns) return `stopped before it finished: ${testCases.length} of ${expectedRuns} runs completed`;
  const failing = testCases.find((testCase) => testCase.verdict === 'internal_error') ?? testCases.find((testCase) => testCase.verdict !== 'accepted');
  if (!failing) return null;
  return expectedRuns > 1 ? `test case ${failing.index + 1}: ${failing.message ?? failing.verdict}` : failing.message;
}
