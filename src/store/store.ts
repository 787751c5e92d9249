// The Store interface: submissions and their lifecycle, room state, history and stats.
import type { FinishedStatus, SubmissionStatus } from '../domain/lifecycle.js';
import type { ExecutionResult } from '../domain/result.js';
import type { Submission } from '../domain/submission.js';
import type { Verdict } from '../domain/verdict.js';

export interface FinishPatch {
  status: FinishedStatus;
  verdict: Verdict | null;
  result: ExecutionResult | null;
  error: string | null;
  finishedAt: Date;
  /**
   * Fences the write to one run: applied only while the row's run token (set by its {@link StartPatch}) is still this
   * one, so a run that lost its lease and was taken over cannot finish the submission. @defaultValue unfenced
   */
  runToken?: string;
  /** Marks a failure as the service's (a dead letter an admin may queue again). @defaultValue false */
  deadLetter?: boolean;
}

/** The move to `running`: who took the job and when; it also counts the attempt. */
export interface StartPatch {
  status: 'running';
  startedAt: Date;
  /** The node that runs it, whose death makes the run interrupted. */
  nodeId: string;
  /** Names this run, so its later writes can be fenced on it (see {@link FinishPatch.runToken}). @defaultValue none */
  runToken?: string;
}

/** The move back to `queued` of a run that was interrupted, to be retried (its start time is cleared). */
export interface RequeuePatch {
  status: 'queued';
  /** Requeues only while this run still holds the row. @defaultValue unfenced (a takeover of a run that is gone) */
  runToken?: string;
}

/** A submission the service failed for good, as the dead-letter list shows it. */
export interface DeadLetter {
  submission: Submission;
  /** Starts it had in its last attempt cycle. */
  attempts: number;
  deadLetteredAt: Date;
  /** How many times an admin queued it again before. */
  retries: number;
}

/** A guarded status change; the fields written depend on the target status. */
export type TransitionPatch = StartPatch | RequeuePatch | FinishPatch;

/** A queued or running submission whose node is gone, now held by the node that claimed it. */
export interface OrphanedSubmission {
  submission: Submission;
  /** How many times it was started (so a run interrupted again can be told apart). */
  attempts: number;
  /** An interactive run, which cannot go on without the client that was connected to it. */
  interactive: boolean;
}

/** Where a new submission is held and what kind it is, for recovery. */
export interface CreateOptions {
  /** The node whose queue will hold it. @defaultValue null */
  nodeId?: string | null;
  /** An interactive run. @defaultValue false */
  interactive?: boolean;
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

/**
 * Durable state of a node: the one record of every submission and its lifecycle. The store, not any process's memory,
 * decides what a submission is: it is created before it is queued, and every status change is a guarded update whose
 * allowed moves come from the lifecycle table in `domain/lifecycle.ts`, so duplicate or late writers change nothing.
 */
export interface Store {
  /** Creates or migrates the schema; safe to call on every start. */
  init(): Promise<void>;
  close(): Promise<void>;

  /**
   * Inserts a new submission (normally `queued`). The unique (user, correlationId) pair is the idempotency rule:
   * a second one throws `DuplicateCorrelationIdError`, and the caller answers with the stored submission.
   * `options.nodeId` names the node whose queue will hold it, so its recovery is scoped to that node.
   */
  createSubmission(submission: Submission, options?: CreateOptions): Promise<void>;
  getSubmission(id: string): Promise<Submission | null>;
  findByCorrelationId(userId: string, correlationId: string): Promise<Submission | null>;
  /**
   * Moves a submission to `patch.status` if its current status is one of `from` and the lifecycle allows that move;
   * a finish also stores the result (test cases row by row). Resolves true when it applied; false (nothing written)
   * when the id is unknown, its status is not in `from`, or the move is not allowed, so a duplicate delivery is a no-op.
   */
  transition(id: string, from: readonly SubmissionStatus[], patch: TransitionPatch): Promise<boolean>;
  /** Deletes a submission that never started (still `queued`), as when admission refused it. Returns whether it did. */
  deleteUnstarted(id: string): Promise<boolean>;

  roomHistory(roomId: string, query: HistoryQuery): Promise<Submission[]>;
  userHistory(userId: string, query: HistoryQuery): Promise<Submission[]>;
  /** Stats of executions finished in the room since the given instant. */
  roomStats(roomId: string, since: Date): Promise<RoomStats>;
  globalStats(): Promise<GlobalStats>;

  /** Records a node as alive (its start and first heartbeat); registering an id again restarts it. */
  registerNode(nodeId: string, at: Date): Promise<void>;
  /** Says the node is still alive. */
  heartbeat(nodeId: string, at: Date): Promise<void>;
  /** Removes a node that stopped cleanly: what it still holds is at once free for the next node to claim. */
  releaseNode(nodeId: string): Promise<void>;
  /**
   * At start-up: takes over the queued and running submissions of nodes that are gone, and only those. Gone means a
   * heartbeat before `staleBefore`, no `nodes` row, no node recorded, or `nodeId` itself (this node's earlier life, as
   * in the embedded single-process case). The rows now name `nodeId`; stale node rows are removed. Oldest first.
   * Each row is claimed by one caller even when several nodes call at once on one database.
   *
   * This is the single-node recovery rule: it suits a node whose queue lives in its own process, so that what the
   * store says it held is all there is to recover. In a cluster whose queue is shared (Redis), a job's fate belongs to
   * the queue's leases: a dead worker's lease expires and the queue hands the job to another worker, while a node that
   * restarts must not claim or fail work other nodes are running. Such nodes do not use this method for recovery.
   */
  claimOrphans(nodeId: string, staleBefore: Date): Promise<OrphanedSubmission[]>;
  /** Dead letters (failed by the service, not yet retried), newest first. */
  listDeadLetters(query: { limit: number; before?: Date }): Promise<DeadLetter[]>;
  /**
   * Queues a dead letter again as a new attempt cycle (same id; attempts back to 0, result cleared, its retry counted).
   * Resolves the queued submission, or null when `id` is not a dead letter (unknown, not failed, or already retried).
   */
  requeueDeadLetter(id: string): Promise<Submission | null>;
  /**
   * Queued submissions created before the instant, oldest first: on a shared queue, those the queue may have lost
   * (its data was wiped) and that must be enqueued again so nothing accepted is lost.
   */
  listQueued(createdBefore: Date, limit: number): Promise<Submission[]>;
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
