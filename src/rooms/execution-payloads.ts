// Maps internal queue entries, results and stored submissions to the contract payloads room members receive.
import { redactResult } from '../domain/access.js';
import type { ExecutionResult } from '../domain/result.js';
import { cutText, previewResult } from '../domain/result-preview.js';
import type { Submission } from '../domain/submission.js';
import type { QueueEntry, QueueSnapshot } from '../queue/job-queue.js';
import type { ExecutionStatus, ExecutionSummary, HistoryEntry, QueueFigures, RoomExecutionResult, RoomTestCaseResult, StagePayload } from '../contract/realtime.js';
import { seedResultStatus, withQueueEntryAliases, withSeedAliases } from '../contract/seed-aliases.js';
import type { StageResult } from '../domain/result.js';

/**
 * Characters of output a completion event carries in all. Every member of the room gets it, so it stays small however
 * much the program wrote; the whole result is at `GET /api/v1/submissions/:id`. The result preview gets half, since
 * the event's `output` repeats the preview's stdout.
 */
export const ROOM_EVENT_OUTPUT_CHARS = 64 * 1024;

/** Room caps reported next to the node's figures. */
export interface RoomCaps {
  roomMaxConcurrent: number;
  roomMaxQueued: number;
}

/** The attributed summary of a queued or running (or just finished) execution. */
export function summaryFromEntry(entry: QueueEntry, status: ExecutionStatus, finishedAt: number | null = null): ExecutionSummary {
  const queued = status === 'queued';
  return withSeedAliases({
    executionId: entry.id,
    correlationId: entry.correlationId,
    userId: entry.userId,
    displayName: entry.displayName,
    avatar: entry.avatar,
    language: entry.language,
    timestamps: {
      queuedAt: iso(entry.enqueuedAt),
      startedAt: entry.startedAt === null ? null : iso(entry.startedAt),
      finishedAt: finishedAt === null ? null : iso(finishedAt),
    },
    status,
    roomPosition: queued ? entry.roomPosition : null,
    queuePosition: queued ? entry.position : null,
  });
}

/**
 * Fields a completed execution adds, under the names both seeds' clients read. The result is a preview (with `output`,
 * at most ROOM_EVENT_OUTPUT_CHARS characters of output in all) of the result others may see (see `redactResult`): hidden
 * test data and judged runs' output stay with the submitter, whoever else is in the room; the author reads the rest over REST.
 */
export function completionFields(result: ExecutionResult): {
  verdict: RoomExecutionResult['verdict'];
  success: boolean;
  executionTime: number;
  output: string;
  truncated: boolean;
  result: RoomExecutionResult;
} {
  // What others may see (no expected outputs, no judged run's output) is cut to the preview, so hidden data takes none of its room.
  const shown = previewResult(redactResult(result), ROOM_EVENT_OUTPUT_CHARS / 2);
  const truncated = shown.outputTruncated === true;
  return { verdict: result.verdict, success: result.verdict === 'accepted', executionTime: result.wallTimeMs, output: shown.stdout, truncated, result: roomResult(shown) };
}

/** The contract's result, field by field, so an internal field added later never reaches clients unannounced. */
function roomResult(result: ExecutionResult): RoomExecutionResult {
  return {
    verdict: result.verdict,
    compile: result.compile && stagePayload(result.compile),
    compileCached: result.compileCached,
    // Expected outputs stay with the submitter.
    testCases: result.testCases.map((testCase): RoomTestCaseResult => ({ index: testCase.index, ...stagePayload(testCase) })),
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode,
    signal: result.signal,
    cpuTimeMs: result.cpuTimeMs,
    wallTimeMs: result.wallTimeMs,
    memoryKb: result.memoryKb,
    message: result.message,
    ...(result.outputTruncated === undefined ? {} : { outputTruncated: result.outputTruncated }),
    status: seedResultStatus(result.verdict),
  };
}

/** One stage as the contract shows it. */
export function stagePayload(stage: StageResult): StagePayload {
  return {
    verdict: stage.verdict,
    stdout: stage.stdout,
    stderr: stage.stderr,
    invalidUtf8: stage.invalidUtf8,
    message: stage.message,
    cpuTimeMs: stage.cpuTimeMs,
    wallTimeMs: stage.wallTimeMs,
    memoryKb: stage.memoryKb,
    exitCode: stage.exitCode,
    signal: stage.signal,
    ...(stage.stdoutTruncated === undefined ? {} : { stdoutTruncated: stage.stdoutTruncated }),
    ...(stage.stderrTruncated === undefined ? {} : { stderrTruncated: stage.stderrTruncated }),
  };
}

export function queueFigures(snapshot: QueueSnapshot, caps: RoomCaps): QueueFigures {
  return {
    queued: snapshot.queued.map((entry) => withQueueEntryAliases(summaryFromEntry(entry, 'queued'))),
    active: snapshot.active.map((entry) => withQueueEntryAliases(summaryFromEntry(entry, 'running'))),
    queueLength: snapshot.queueLength,
    activeCount: snapshot.activeCount,
    maxConcurrent: snapshot.maxConcurrent,
    roomMaxConcurrent: caps.roomMaxConcurrent,
    roomMaxQueued: caps.roomMaxQueued,
  };
}

const HISTORY_OUTPUT_CHARS = 4096;

/** A stored execution for `execution-history`, with its output cut short. */
export function historyEntry(submission: Submission): HistoryEntry {
  const result = submission.result;
  const stdout = result?.stdout ?? '';
  const stderr = result?.stderr ?? '';
  const output = cutText(stdout, HISTORY_OUTPUT_CHARS);
  const errors = cutText(stderr, HISTORY_OUTPUT_CHARS);
  const timestamps = {
    queuedAt: submission.createdAt.toISOString(),
    startedAt: submission.startedAt?.toISOString() ?? null,
    finishedAt: submission.finishedAt?.toISOString() ?? null,
  };
  return {
    ...withSeedAliases({ displayName: submission.user.displayName, roomPosition: null, queuePosition: null, timestamps }),
    executionId: submission.id,
    correlationId: submission.correlationId,
    userId: submission.user.userId,
    avatar: submission.user.avatar,
    language: submission.request.language,
    status: submission.status,
    verdict: submission.verdict,
    success: submission.verdict === 'accepted',
    executionTime: result?.wallTimeMs ?? null,
    output,
    stderr: errors,
    // The history read returns previews already; a cut here or there both mean the text is not all of it.
    truncated: output.length < stdout.length || errors.length < stderr.length || result?.outputTruncated === true,
    error: submission.error,
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
