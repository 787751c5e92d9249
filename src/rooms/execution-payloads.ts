// Maps queue entries and stored submissions to the attributed payloads room members receive.
import { redactResult } from '../domain/access.js';
import type { ExecutionResult } from '../domain/result.js';
import type { Submission } from '../domain/submission.js';
import type { QueueEntry, QueueSnapshot } from '../queue/job-queue.js';
import type { ExecutionStatus, ExecutionSummary, HistoryEntry, QueueFigures } from './server-events.js';

/** Room caps reported next to the node's figures. */
export interface RoomCaps {
  roomMaxConcurrent: number;
  roomMaxQueued: number;
}

/** The attributed summary of a queued or running (or just finished) execution. */
export function summaryFromEntry(entry: QueueEntry, status: ExecutionStatus, finishedAt: number | null = null): ExecutionSummary {
  const queued = status === 'queued';
  return {
    executionId: entry.id,
    correlationId: entry.correlationId,
    userId: entry.userId,
    displayName: entry.displayName,
    username: entry.displayName,
    avatar: entry.avatar,
    language: entry.language,
    timestamps: {
      queuedAt: iso(entry.enqueuedAt),
      startedAt: entry.startedAt === null ? null : iso(entry.startedAt),
      finishedAt: finishedAt === null ? null : iso(finishedAt),
    },
    status,
    position: queued ? (entry.roomPosition ?? entry.position) : null,
    queuePosition: queued ? entry.position : null,
  };
}

/**
 * Fields a completed execution adds, under the names both seeds' clients read. The whole room hears them, so the result
 * is the one others may see (expected outputs and judged runs' output left out); the author reads the rest over REST.
 */
export function completionFields(result: ExecutionResult): { verdict: ExecutionResult['verdict']; success: boolean; executionTime: number; output: string; result: ExecutionResult } {
  const shared = redactResult(result);
  return { verdict: result.verdict, success: result.verdict === 'accepted', executionTime: result.wallTimeMs, output: shared.stdout, result: shared };
}

export function queueFigures(snapshot: QueueSnapshot, caps: RoomCaps): QueueFigures {
  return {
    queued: snapshot.queued.map((entry) => summaryFromEntry(entry, 'queued')),
    active: snapshot.active.map((entry) => summaryFromEntry(entry, 'running')),
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
  return {
    executionId: submission.id,
    correlationId: submission.correlationId,
    userId: submission.user.userId,
    displayName: submission.user.displayName,
    username: submission.user.displayName,
    avatar: submission.user.avatar,
    language: submission.request.language,
    timestamps: {
      queuedAt: submission.createdAt.toISOString(),
      startedAt: submission.startedAt?.toISOString() ?? null,
      finishedAt: submission.finishedAt?.toISOString() ?? null,
    },
    status: submission.status,
    position: null,
    queuePosition: null,
    verdict: submission.verdict,
    success: submission.verdict === 'accepted',
    executionTime: result?.wallTimeMs ?? null,
    output: stdout.slice(0, HISTORY_OUTPUT_CHARS),
    stderr: stderr.slice(0, HISTORY_OUTPUT_CHARS),
    truncated: stdout.length > HISTORY_OUTPUT_CHARS || stderr.length > HISTORY_OUTPUT_CHARS,
    error: submission.error,
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
