// Job lifecycle state machine: queued → running → completed | failed | cancelled (an interrupted run may go back to queued).

export const SUBMISSION_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;

export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];

/** Statuses of a job still waiting or working. */
export const ACTIVE_STATUSES = ['queued', 'running'] as const satisfies readonly SubmissionStatus[];

/** Statuses that never change again. */
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly SubmissionStatus[];

export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

/** The one table of allowed moves; the store applies a status change only when it is listed here. */
const TRANSITIONS: Readonly<Record<SubmissionStatus, readonly SubmissionStatus[]>> = {
  queued: ['running', 'cancelled', 'failed'],
  // Back to queued only when the node running it died: the run is retried, counted in the store's attempts.
  running: ['completed', 'failed', 'cancelled', 'queued'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** Whether a job may move from one status to another. */
export function canTransition(from: SubmissionStatus, to: SubmissionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A terminal status never changes again. */
export function isTerminal(status: SubmissionStatus): status is FinishedStatus {
  return (FINISHED_STATUSES as readonly SubmissionStatus[]).includes(status);
}
