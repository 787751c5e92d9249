// Converts between the domain Submission and its table rows, so queries never hand-build either shape.
import type { Role } from '../../domain/identity.js';
import type { SubmissionStatus } from '../../domain/lifecycle.js';
import type { ResourceLimits } from '../../domain/limits.js';
import type { PriorityKind } from '../../domain/priority.js';
import type { ExecutionResult, OutputEncoding, TestCaseResult } from '../../domain/result.js';
import type { CompareMode, SourceFile, Submission, TestCase } from '../../domain/submission.js';
import type { Verdict } from '../../domain/verdict.js';
import type { FinishPatch } from '../store.js';
import type { NewSubmissionRow, NewTestCaseRow, SubmissionRow, SubmissionsTable, TestCaseRow } from '../database.js';
import type { Updateable } from 'kysely';

/** What the `result` column holds: the parts of an ExecutionResult not kept in their own columns or rows. */
type StoredResult = Omit<ExecutionResult, 'stdout' | 'stderr' | 'testCases'>;

/** The row of a new submission (including its result, if it already has one). */
export function toSubmissionRow(submission: Submission): NewSubmissionRow {
  const { request, user } = submission;
  return {
    id: submission.id,
    correlation_id: submission.correlationId,
    room_id: submission.roomId,
    user_id: user.userId,
    username: user.displayName,
    avatar: user.avatar,
    role: user.role,
    title: submission.title,
    language: request.language,
    version: request.version ?? null,
    files: JSON.stringify(request.files),
    entry: request.entry ?? null,
    code: entryContent(request.files, request.entry ?? null),
    stdin: request.stdin,
    args: JSON.stringify(request.args),
    test_cases: JSON.stringify(request.testCases),
    limits: JSON.stringify(request.limits),
    compare_mode: request.compareMode,
    output_encoding: request.outputEncoding,
    priority_kind: submission.priorityKind,
    priority: submission.priority,
    status: submission.status,
    verdict: submission.verdict,
    error: submission.error,
    created_at: submission.createdAt.getTime(),
    started_at: submission.startedAt?.getTime() ?? null,
    finished_at: submission.finishedAt?.getTime() ?? null,
    request_fingerprint: submission.fingerprint ?? null,
    ...resultColumns(submission.result),
  };
}

/** The columns a finish writes. */
export function toFinishUpdate(patch: FinishPatch): Updateable<SubmissionsTable> {
  return {
    status: patch.status,
    verdict: patch.verdict,
    error: patch.error,
    finished_at: patch.finishedAt.getTime(),
    ...resultColumns(patch.result),
  };
}

/** One row per test case of a result. */
export function toTestCaseRows(submissionId: string, result: ExecutionResult | null): NewTestCaseRow[] {
  return (result?.testCases ?? []).map((testCase) => ({
    submission_id: submissionId,
    idx: testCase.index,
    verdict: testCase.verdict,
    stdout: testCase.stdout,
    stderr: testCase.stderr,
    expected_output: testCase.expectedOutput,
    exit_code: testCase.exitCode,
    signal: testCase.signal,
    cpu_time_ms: testCase.cpuTimeMs,
    wall_time_ms: testCase.wallTimeMs,
    memory_kb: testCase.memoryKb,
    invalid_utf8: testCase.invalidUtf8 ? 1 : 0,
    message: testCase.message,
  }));
}

/** Rebuilds the domain Submission from its row and its test-case rows (in any order). */
export function fromSubmissionRow(row: SubmissionRow, testCaseRows: readonly TestCaseRow[]): Submission {
  return {
    id: row.id,
    correlationId: row.correlation_id,
    roomId: row.room_id,
    user: { userId: row.user_id, displayName: row.username, avatar: row.avatar, role: row.role as Role },
    title: row.title,
    priorityKind: row.priority_kind as PriorityKind,
    priority: Number(row.priority),
    request: {
      language: row.language,
      version: row.version,
      files: JSON.parse(row.files) as SourceFile[],
      entry: row.entry,
      stdin: row.stdin,
      args: JSON.parse(row.args) as string[],
      testCases: JSON.parse(row.test_cases) as TestCase[],
      limits: JSON.parse(row.limits) as Partial<ResourceLimits>,
      compareMode: row.compare_mode as CompareMode,
      outputEncoding: row.output_encoding as OutputEncoding,
    },
    status: row.status as SubmissionStatus,
    verdict: row.verdict as Verdict | null,
    result: resultFromRow(row, testCaseRows),
    error: row.error,
    createdAt: new Date(Number(row.created_at)),
    startedAt: optionalDate(row.started_at),
    finishedAt: optionalDate(row.finished_at),
    // Absent rather than null, so a submission read back equals the one written (rows from before 0002 have none).
    ...(row.request_fingerprint === null ? {} : { fingerprint: row.request_fingerprint }),
  };
}

function resultColumns(result: ExecutionResult | null): Pick<NewSubmissionRow, 'stdout' | 'stderr' | 'exit_code' | 'signal' | 'cpu_time_ms' | 'wall_time_ms' | 'memory_kb' | 'compile_output' | 'result'> {
  if (!result) {
    return { stdout: null, stderr: null, exit_code: null, signal: null, cpu_time_ms: null, wall_time_ms: null, memory_kb: null, compile_output: null, result: null };
  }
  // Output can be megabytes; it lives in its own columns (and test-case rows), never twice in the JSON.
  const { stdout, stderr, testCases: _testCases, ...rest } = result;
  const stored: StoredResult = rest;
  return {
    stdout,
    stderr,
    exit_code: result.exitCode,
    signal: result.signal,
    cpu_time_ms: result.cpuTimeMs,
    wall_time_ms: result.wallTimeMs,
    memory_kb: result.memoryKb,
    compile_output: result.compile ? result.compile.stdout + result.compile.stderr : null,
    result: JSON.stringify(stored),
  };
}

function resultFromRow(row: SubmissionRow, testCaseRows: readonly TestCaseRow[]): ExecutionResult | null {
  if (row.result === null) return null;
  const stored = JSON.parse(row.result) as StoredResult;
  const testCases = [...testCaseRows].sort((a, b) => Number(a.idx) - Number(b.idx)).map(testCaseFromRow);
  return { ...stored, stdout: row.stdout ?? '', stderr: row.stderr ?? '', testCases };
}

function testCaseFromRow(row: TestCaseRow): TestCaseResult {
  return {
    index: Number(row.idx),
    verdict: row.verdict as Verdict,
    stdout: row.stdout,
    stderr: row.stderr,
    expectedOutput: row.expected_output,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    signal: row.signal,
    cpuTimeMs: Number(row.cpu_time_ms),
    wallTimeMs: Number(row.wall_time_ms),
    memoryKb: Number(row.memory_kb),
    invalidUtf8: Number(row.invalid_utf8) === 1,
    message: row.message,
  };
}

/** The code a history view shows: the entry file, else the first file. */
function entryContent(files: readonly SourceFile[], entry: string | null): string {
  const file = (entry === null ? undefined : files.find((candidate) => candidate.name === entry)) ?? files[0];
  return file?.content ?? '';
}

function optionalDate(value: number | string | null): Date | null {
  return value === null ? null : new Date(Number(value));
}
