// Applies the read-access rules of domain/access.ts to the read routes: an execution the caller may not see is reported as unknown.
import { canViewExecution, canViewUserHistory, queueEntriesVisibleTo, viewExecution, type ExecutionView } from '../domain/access.js';
import type { Identity } from '../domain/identity.js';
import type { Submission } from '../domain/submission.js';
import { AppError, AUTH_ERRORS, QUEUE_ERRORS } from '../errors/index.js';
import type { QueueSnapshot } from '../queue/job-queue.js';
import type { SubmissionService } from '../submissions/index.js';

type Found = NonNullable<Awaited<ReturnType<SubmissionService['get']>>>;

/** A submission with its live position, as this viewer may read it. */
export type VisibleSubmission = Found & ExecutionView;

/**
 * The submission with its live position, without its private parts unless the caller is its author or staff;
 * 404 when it does not exist or is someone else's private execution (no existence oracle).
 */
export async function getVisibleSubmission(service: SubmissionService, id: string, viewer: Identity): Promise<VisibleSubmission> {
  const found = await service.get(id);
  if (!found || !canViewExecution(viewer, found.submission)) throw new AppError(QUEUE_ERRORS.notFound, `no submission has id ${id}`);
  return { ...found, ...viewExecution(viewer, found.submission) };
}

/** History entries as this viewer may read them (someone else's source, inputs and expected outputs removed). */
export function visibleHistory(viewer: Identity, submissions: readonly Submission[]): Submission[] {
  return submissions.map((submission) => viewExecution(viewer, submission).submission);
}

/** A queue snapshot listing only what the viewer may see; the counts still include everyone's work. */
export function visibleSnapshot(viewer: Identity, snapshot: QueueSnapshot): QueueSnapshot {
  return { ...snapshot, queued: queueEntriesVisibleTo(viewer, snapshot.queued), active: queueEntriesVisibleTo(viewer, snapshot.active) };
}

/** 403 unless the caller is that user or staff. */
export function assertMayReadUserHistory(viewer: Identity, userId: string): void {
  if (!canViewUserHistory(viewer, userId)) {
    throw new AppError(AUTH_ERRORS.forbidden, 'only the user themself, teachers and admins may read a user\'s history');
  }
}
