// Builds the result shapes of domain/result.ts from sandbox outcomes and verdicts.
import type { ExecutionResult, OutputEncoding, StageResult, TestCaseResult } from '../domain/result.js';
import { overallVerdict } from '../domain/verdict.js';
import type { SandboxRunResult } from '../sandbox/sandbox.js';
import { decodeOutput } from './decode-output.js';
import type { Judgement } from './judge-run.js';

/** The part of a sandbox outcome the engine keeps (the compile cache stores exactly this). */
export type RunRecord = Pick<SandboxRunResult, 'stdout' | 'stderr' | 'exitCode' | 'signal' | 'cpuTimeMs' | 'wallTimeMs' | 'memoryKb' | 'limitHit'>;

/** One stage's result with its output decoded for delivery. */
export function stageResult(run: RunRecord, judgement: Judgement, encoding: OutputEncoding): StageResult {
  const stdout = decodeOutput(run.stdout, encoding);
  const stderr = decodeOutput(run.stderr, encoding);
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
  };
}

export interface SummaryInput {
  compile: StageResult | null;
  compileCached: boolean;
  /** The compiler's stdout and stderr together (tsc reports errors on stdout), for a failed compile. */
  compilerOutput: string;
  /** Finished test cases, in any order. */
  testCases: TestCaseResult[];
  /** How many runs were asked for; fewer finished when the execution was stopped. */
  expectedRuns: number;
}

/** Folds the stages into one ExecutionResult: overall verdict, first-run convenience copies, and figures. */
export function summarize(input: SummaryInput): ExecutionResult {
  const { compile, compileCached } = input;
  const compileWallMs = compile && !compileCached ? compile.wallTimeMs : 0;
  if (compile && compile.verdict !== 'accepted') {
    return {
      verdict: 'compilation_error', compile, compileCached, testCases: [],
      stdout: '', stderr: input.compilerOutput, exitCode: null, signal: null,
      cpuTimeMs: compile.cpuTimeMs, wallTimeMs: compileWallMs, memoryKb: compile.memoryKb, message: compile.message,
    };
  }
  const testCases = [...input.testCases].sort((a, b) => a.index - b.index);
  const first = testCases[0];
  const verdict = overallVerdict(testCases.map((testCase) => testCase.verdict));
  return {
    verdict, compile, compileCached, testCases,
    stdout: first?.stdout ?? '',
    stderr: first?.stderr ?? '',
    exitCode: first?.exitCode ?? null,
    signal: first?.signal ?? null,
    cpuTimeMs: Math.max(0, ...testCases.map((testCase) => testCase.cpuTimeMs)),
    wallTimeMs: compileWallMs + testCases.reduce((sum, testCase) => sum + testCase.wallTimeMs, 0),
    memoryKb: Math.max(0, ...testCases.map((testCase) => testCase.memoryKb)),
    message: summaryMessage(testCases, input.expectedRuns),
  };
}

function summaryMessage(testCases: TestCaseResult[], expectedRuns: number): string | null {
  if (testCases.length < expectedRuns) return `stopped before it finished: ${testCases.length} of ${expectedRuns} runs completed`;
  const failing = testCases.find((testCase) => testCase.verdict === 'internal_error') ?? testCases.find((testCase) => testCase.verdict !== 'accepted');
  if (!failing) return null;
  return expectedRuns > 1 ? `test case ${failing.index + 1}: ${failing.message ?? failing.verdict}` : failing.message;
}
