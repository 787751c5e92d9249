// Builders of submissions and results for the Store conformance suite; every id is random so tests never collide.
import { randomUUID } from 'node:crypto';
import type { ExecutionResult, StageResult, TestCaseResult } from '../../domain/result.js';
import type { Submission } from '../../domain/submission.js';
import type { Verdict } from '../../domain/verdict.js';
import type { FinishPatch, Store } from '../store.js';

/** A fixed instant the tests count from, so times are exact and independent of the clock. */
export const BASE_TIME = Date.UTC(2025, 0, 15, 12, 0, 0);

/** `BASE_TIME + offsetMs` as a Date. */
export function at(offsetMs: number): Date {
  return new Date(BASE_TIME + offsetMs);
}

/** A queued single-file Python submission; override any field. */
export function makeSubmission(overrides: Partial<Submission> = {}): Submission {
  return {
    id: randomUUID(),
    correlationId: randomUUID(),
    roomId: `room-${randomUUID()}`,
    user: { userId: `user-${randomUUID()}`, displayName: 'Ada', avatar: null, role: 'user' },
    title: null,
    priorityKind: 'run',
    priority: 1,
    request: {
      language: 'python',
      version: '3.12',
      files: [{ name: 'main.py', content: 'print(input())\n' }],
      entry: 'main.py',
      stdin: 'hello\n',
      args: [],
      testCases: [],
      limits: {},
      compareMode: 'trimmed',
      outputEncoding: 'utf8',
    },
    status: 'queued',
    verdict: null,
    result: null,
    error: null,
    createdAt: at(0),
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

/** One run's outcome; override any field. */
export function makeTestCase(index: number, overrides: Partial<TestCaseResult> = {}): TestCaseResult {
  return {
    index,
    verdict: 'accepted',
    stdout: `out ${index}\n`,
    stderr: '',
    invalidUtf8: false,
    message: null,
    expectedOutput: `out ${index}\n`,
    cpuTimeMs: 12.5 + index,
    wallTimeMs: 20 + index,
    memoryKb: 9_000 + index,
    exitCode: 0,
    signal: null,
    ...overrides,
  };
}

/** A full result with `cases` test cases (at least the single run), no compile stage unless given. */
export function makeResult(cases = 1, overrides: Partial<ExecutionResult> = {}): ExecutionResult {
  const testCases = Array.from({ length: Math.max(1, cases) }, (_, index) => makeTestCase(index));
  const first = testCases[0]!;
  return {
    verdict: 'accepted',
    compile: null,
    compileCached: false,
    testCases,
    stdout: first.stdout,
    stderr: first.stderr,
    exitCode: first.exitCode,
    signal: first.signal,
    cpuTimeMs: first.cpuTimeMs,
    wallTimeMs: testCases.reduce((sum, testCase) => sum + testCase.wallTimeMs, 0),
    memoryKb: first.memoryKb,
    message: null,
    ...overrides,
  };
}

/** A compile stage, as a compiled language's result carries. */
export function makeCompileStage(overrides: Partial<StageResult> = {}): StageResult {
  return {
    verdict: 'accepted',
    stdout: '',
    stderr: 'main.c:3: warning: unused variable ‘x’\n',
    invalidUtf8: false,
    message: null,
    cpuTimeMs: 180,
    wallTimeMs: 240.25,
    memoryKb: 51_200,
    exitCode: 0,
    signal: null,
    ...overrides,
  };
}

/** A finish patch for `completed` with the given verdict and result. */
export function completedPatch(result: ExecutionResult, finishedAt: Date, verdict: Verdict = result.verdict): FinishPatch {
  return { status: 'completed', verdict, result, error: null, finishedAt };
}

/** Inserts a submission and walks it to the state it claims, the way the scheduler would. */
export async function insertAs(store: Store, submission: Submission): Promise<Submission> {
  await store.createSubmission({ ...submission, status: 'queued', verdict: null, result: null, error: null, startedAt: null, finishedAt: null });
  if (submission.status === 'queued') return submission;
  if (submission.startedAt) await store.transition(submission.id, ['queued'], { status: 'running', startedAt: submission.startedAt, nodeId: 'node-a' });
  if (submission.status === 'running') return submission;
  await store.transition(submission.id, ['queued', 'running'], {
    status: submission.status,
    verdict: submission.verdict,
    result: submission.result,
    error: submission.error,
    finishedAt: submission.finishedAt ?? submission.createdAt,
  });
  return submission;
}

/** A finished submission in `roomId`, created and finished at the given offsets from BASE_TIME. */
export function finishedSubmission(options: {
  roomId?: string | null;
  userId?: string;
  createdAt: number;
  finishedAt?: number;
  status?: FinishPatch['status'];
  verdict?: Verdict | null;
  wallTimeMs?: number | null;
}): Submission {
  const base = makeSubmission();
  const status = options.status ?? 'completed';
  const verdict = options.verdict === undefined ? 'accepted' : options.verdict;
  const wallTimeMs = options.wallTimeMs === undefined ? 100 : options.wallTimeMs;
  const ran = wallTimeMs !== null;
  return {
    ...base,
    roomId: options.roomId === undefined ? base.roomId : options.roomId,
    user: options.userId ? { ...base.user, userId: options.userId } : base.user,
    status,
    verdict,
    result: ran && verdict !== null ? makeResult(1, { verdict, wallTimeMs }) : null,
    error: status === 'failed' ? 'sandbox unavailable' : null,
    createdAt: at(options.createdAt),
    startedAt: ran ? at(options.createdAt + 1) : null,
    finishedAt: at(options.finishedAt ?? options.createdAt + 500),
  };
}
