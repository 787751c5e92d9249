// Inputs and events of the submission service: the one entry point REST, compat routes and rooms all use.
import type { Identity } from '../domain/identity.js';
import type { PriorityKind } from '../domain/priority.js';
import type { ExecutionRequest, Submission } from '../domain/submission.js';
import type { QueueEvent } from '../queue/job-queue.js';

/** A request to run code, after transport-level parsing (the service still validates sizes and limits). */
export interface SubmitInput {
  request: ExecutionRequest;
  /** Who submits: from the verified token, never from the payload. */
  user: Identity;
  roomId?: string | null;
  priorityKind?: PriorityKind;
  /**
   * Client-chosen idempotency key: the same one from the same user with the same request returns the existing submission
   * instead of running again; with a different request it is refused (`RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH`).
   */
  correlationId?: string | null;
  title?: string | null;
}

export interface SubmitOutcome {
  submission: Submission;
  /** 1-based place in the node's dispatch order while queued, else null. */
  position: number | null;
  roomPosition: number | null;
  /** True when the correlationId matched an earlier submission, which is returned unchanged. */
  duplicate: boolean;
}

/** What a synchronous run answers with: the submission as it stands when the wait ends. */
export interface RunOutcome {
  submission: Submission;
  /** True when the correlationId matched an earlier submission, which was awaited instead of running again. */
  duplicate: boolean;
}

/**
 * Events re-published by the service after the store has been updated, so a client that
 * reacts to `completed` and then reads the submission sees it completed.
 */
export type SubmissionEvent = QueueEvent;
