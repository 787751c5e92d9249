// Converts between the domain Submission and its table rows, so queries never hand-build either shape.
import type { Role } from '../../domain/identity.js';
import type { SubmissionStatus } from '../../domain/lifecycle.js';
import type { ResourceLimits } from '../../domain/limits.js';
import type { PriorityKind } from '../../domain/priority.js';
import type { ExecutionResult, OutputEncoding, StageResult, TestCaseResult } from '../../domain/result.js';
import { LIST_PREVIEW_CHARS, previewResult } from '../../domain/result-preview.js';
import type { CompareMode, SourceFile, Submission, TestCase } from '../../domain/submission.js';
import type { Verdict } from '../../domain/verdict.js';
import type { TransitionPatch } from '../store.js';
import type { NewSubmissionRow, NewTestCaseRow, SubmissionRow, SubmissionsTable, TestCaseRow } from '../database.js';
import type { Updateable } from 'kysely';

/** A stage as the `result` column holds it: everything but its texts, which live in their own column or rows. */
type StoredStage = Omit<StageResult, 'stdout' | 'stderr'>;

/**
 * What the `result` column holds: the parts of an ExecutionResult not kept in their own columns or rows, plus the
 * preview list reads return, so that a history page never reads whole outputs. No output text is kept here in full.
 */
interface StoredResult extends Omit<ExecutionResult, 'stdout' | 'stderr' | 'testCases' | 'compile'> {
  compile: StoredStage | null;
  /** Test cases whose stdout or stderr was cut to the output budget (their rows have no column for it). */
  truncatedTestCases?: Array<{ index: number; stdout?: true; stderr?: true }>;
  /** The whole result with its texts cut to LIST_PREVIEW_CHARS together. */
  preview: ExecutionResult;
}

/** Rows written before results carried a preview: compile texts inside the JSON, top-level output in its columns. */
type LegacyStoredResult = Omit<ExecutionResult, 'stdout' | 'stderr' | 'testCases'>;

/** How a read returns results: whole, or the stored preview (history lists). */
export interface ReadShape {
  preview: boolean;
}

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

/** The columns a status change writes. */
export function toTransitionUpdate(patch: TransitionPatch): Updateable<SubmissionsTable> {
  if (patch.status === 'running') return { status: 'running', started_at: patch.startedAt.getTime(), node_id: patch.nodeId, run_token: patch.runToken ?? null };
  if (patch.status === 'queued') return { status: 'queued', started_at: null, run_token: null };
  return {
    status: patch.status,
    verdict: patch.verdict,
    error: patch.error,
    finished_at: patch.finishedAt.getTime(),
    dead_lettered_at: patch.deadLetter === true ? patch.finishedAt.getTime() : null,
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

/**
 * Rebuilds the domain Submission from its row and its test-case rows (in any order). With `shape.preview` the result is
 * the stored preview; rows stored before previews existed are previewed from what was read (see `needsTestCaseRows`).
 */
export function fromSubmissionRow(row: SubmissionRow, testCaseRows: readonly TestCaseRow[], shape: ReadShape = { preview: false }): Submission {
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
    result: resultFromRow(row, testCaseRows, shape),
    error: row.error,
    createdAt: new Date(Number(row.created_at)),
    startedAt: optionalDate(row.started_at),
    finishedAt: optionalDate(row.finished_at),
    // Absent rather than null, so a submission read back equals the one written (rows from before 0002 have none).
    ...(row.request_fingerprint === null ? {} : { fingerprint: row.request_fingerprint }),
  };
}

export function resultColumns(result: ExecutionResult | null): Pick<NewSubmissionRow, 'stdout' | 'stderr' | 'exit_code' | 'signal' | 'cpu_time_ms' | 'wall_time_ms' | 'memory_kb' | 'compile_output' | 'result'> {
  if (!result) {
    return { stdout: null, stderr: null, exit_code: null, signal: null, cpu_time_ms: null, wall_time_ms: null, memory_kb: null, compile_output: null, result: null };
  }
  // Output can be megabytes; each text is stored once. The top-level stdout/stderr are copies of the first run's (or
  // the compiler's messages): stored as null when they equal that copy, and rebuilt from it on read.
  const { stdout, stderr, testCases, compile, ...rest } = result;
  const copied = topLevelOutput(result.verdict, compile, testCases);
  const truncatedTestCases = testCases
    .filter((testCase) => testCase.stdoutTruncated || testCase.stderrTruncated)
    .map((testCase) => ({ index: testCase.index, ...(testCase.stdoutTruncated ? { stdout: true as const } : {}), ...(testCase.stderrTruncated ? { stderr: true as const } : {}) }));
  const stored: StoredResult = {
    ...rest,
    compile: compile ? withoutTexts(compile) : null,
    ...(truncatedTestCases.length > 0 ? { truncatedTestCases } : {}),
    preview: previewResult(result, LIST_PREVIEW_CHARS),
  };
  return {
    stdout: stdout === copied.stdout ? null : stdout,
    stderr: stderr === copied.stderr ? null : stderr,
    exit_code: result.exitCode,
    signal: result.signal,
    cpu_time_ms: result.cpuTimeMs,
    wall_time_ms: result.wallTimeMs,
    memory_kb: result.memoryKb,
    compile_output: compile ? JSON.stringify({ stdout: compile.stdout, stderr: compile.stderr }) : null,
    result: JSON.stringify(stored),
  };
}

/** Whether reading this row in the given shape needs its test-case rows (a stored preview does not). */
export function needsTestCaseRows(row: Pick<SubmissionRow, 'result'>, shape: ReadShape): boolean {
  if (row.result === null) return false;
  return !shape.preview || !isStoredResult(JSON.parse(row.result) as StoredResult | LegacyStoredResult);
}

function resultFromRow(row: SubmissionRow, testCaseRows: readonly TestCaseRow[], shape: ReadShape): ExecutionResult | null {
  if (row.result === null) return null;
  const stored = JSON.parse(row.result) as StoredResult | LegacyStoredResult;
  const sorted = [...testCaseRows].sort((a, b) => Number(a.idx) - Number(b.idx));
  if (!isStoredResult(stored)) {
    // Written before previews: the compile texts are in the JSON and the top-level output in its own columns.
    const legacy: ExecutionResult = { ...stored, stdout: row.stdout ?? '', stderr: row.stderr ?? '', testCases: sorted.map((testCase) => testCaseFromRow(testCase)) };
    return shape.preview ? previewResult(legacy, LIST_PREVIEW_CHARS) : legacy;
  }
  if (shape.preview) return stored.preview;
  const { preview: _preview, truncatedTestCases, compile: storedCompile, ...rest } = stored;
  const flags = new Map((truncatedTestCases ?? []).map((entry) => [entry.index, entry]));
  const testCases = sorted.map((testCase) => testCaseFromRow(testCase, flags.get(Number(testCase.idx))));
  const compile = storedCompile ? { ...storedCompile, ...(JSON.parse(row.compile_output ?? '{}') as Pick<StageResult, 'stdout' | 'stderr'>) } : null;
  const copied = topLevelOutput(stored.verdict, compile, testCases);
  return { ...rest, compile, testCases, stdout: row.stdout ?? copied.stdout, stderr: row.stderr ?? copied.stderr };
}

/** What the top-level stdout and stderr of a result copy: the compiler's messages for a failed compile, else the first run's. */
function topLevelOutput(verdict: Verdict, compile: StageResult | null, testCases: readonly TestCaseResult[]): { stdout: string; stderr: string } {
  if (verdict === 'compilation_error' && compile) return { stdout: '', stderr: compile.stdout + compile.stderr };
  const first = testCases.reduce<TestCaseResult | undefined>((lowest, testCase) => (lowest === undefined || testCase.index < lowest.index ? testCase : lowest), undefined);
  return { stdout: first?.stdout ?? '', stderr: first?.stderr ?? '' };
}

function withoutTexts(stage: StageResult): StoredStage {
  const { stdout: _stdout, stderr: _stderr, ...rest } = stage;
  return rest;
}

function isStoredResult(stored: StoredResult | LegacyStoredResult): stored is StoredResult {
  return 'preview' in stored;
}

function testCaseFromRow(row: TestCaseRow, truncated?: { stdout?: true; stderr?: true }): TestCaseResult {
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
    ...(truncated?.stdout ? { stdoutTruncated: true } : {}),
    ...(truncated?.stderr ? { stderrTruncated: true } : {}),
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
