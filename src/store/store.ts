// The Store interface: submissions and their results, room state, history and stats.
import type { FinishedStatus } from '../domain/lifecycle.js';
import type { ExecutionResult } from '../domain/result.js';
import type { Submission } from '../domain/submission.js';
import type { Verdict } from '../domain/verdict.js';

export interface FinishPatch {
  status: FinishedStatus;
  verdict: Verdict | null;
  result: ExecutionResult | null;
  error: string | null;
  finishedAt: Date;
}

export interface HistoryQuery {
  /** Most entries to return, newest first. */
  limit: number;
  /** Only entries created before this instant (for paging). */
  before?: Date;
  /**
   * Return each result as its stored preview (every output text together cut to a few KiB, marked truncated) instead
   * of whole, so a page never reads megabytes of output. What lists and broadcasts use; read one submission for all of it.
   * @defaultValue false
   */
  outputPreview?: boolean;
}

export interface RoomStats {
  total: number;
  successful: number;
  failed: number;
  avgExecutionTimeMs: number;
  totalExecutionTimeMs: number;
}

export interface GlobalStats {
  completed: number;
  failed: number;
  cancelled: number;
  /** Completed with verdict `accepted`. */
  accepted: number;
}

/** Persisted state of a collaborative room. */
export interface RoomRecord {
  roomId: string;
  code: string;
  language: string | null;
  /** Last sequence number handed out for this room's events. */
  sequence: number;
  /** Yjs document state (encodeStateAsUpdate), null until the first update. */
  document: Uint8Array | null;
  executionCount: number;
  lastExecutionAt: Date | null;
  updatedAt: Date;
}

export interface Store {
  /** Creates or migrates the schema; safe to call on every start. */
  init(): Promise<void>;
  close(): Promise<void>;

  /** Inserts a new submission; throws on a duplicate (user, correlationId). */
  insertSubmission(submission: Submission): Promise<void>;
  getSubmission(id: string): Promise<Submission | null>;
  findByCorrelationId(userId: string, correlationId: string): Promise<Submission | null>;
  markRunning(id: string, startedAt: Date): Promise<void>;
  /** Records the final state; test-case results are stored row by row as well. */
  markFinished(id: string, patch: FinishPatch): Promise<void>;

  roomHistory(roomId: string, query: HistoryQuery): Promise<Submission[]>;
  userHistory(userId: string, query: HistoryQuery): Promise<Submission[]>;
  /** Stats of executions finished in the room since the given instant. */
  roomStats(roomId: string, since: Date): Promise<RoomStats>;
  globalStats(): Promise<GlobalStats>;

  /** At start-up: every submission left queued or running by a dead process becomes failed/internal_error with this reason. Returns how many. */
  failInterrupted(reason: string, finishedAt: Date): Promise<number>;
  /** Deletes finished submissions created before the instant. Returns how many. */
  sweep(before: Date): Promise<number>;

  getRoom(roomId: string): Promise<RoomRecord | null>;
  /** Atomically advances the room's sequence by `count` (creating the room) and returns the new last value. */
  nextRoomSequence(roomId: string, count?: number): Promise<number>;
  saveRoomCode(roomId: string, code: string, language: string | null): Promise<void>;
  saveRoomDocument(roomId: string, document: Uint8Array): Promise<void>;
  /** Counts an execution against the room's state (executionCount, lastExecutionAt). */
  recordRoomExecution(roomId: string, at: Date): Promise<void>;
}
