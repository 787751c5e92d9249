// Applies the read-access rules of domain/access.ts to the read routes: an execution the caller may not see is reported as unknown.
import { canViewExecution, canViewUserHistory } from '../domain/access.js';
import type { Identity } from '../domain/identity.js';
import { AppError, AUTH_ERRORS, QUEUE_ERRORS } from '../errors/index.js';
import type { SubmissionService } from '../submissions/index.js';

type Found = NonNullable<Awaited<ReturnType<SubmissionService['get']>>>;

/** The submission with its live position, or 404 when it does not exist or is someone else's private execution (no existence oracle). */
export async function getVisibleSubmission(service: SubmissionService, id: string, viewer: Identity): Promise<Found> {
  const found = await service.get(id);
  if (!found || !canViewExecution(viewer, found.submission)) throw new AppError(QUEUE_ERRORS.notFound, `no submission has id ${id}`);
  return found;
}

/** 403 unless the caller is that user or staff. */
export function assertMayReadUserHistory(viewer: Identity, userId: string): void {
  if (!canViewUserHistory(viewer, userId)) {
    throw new AppError(AUTH_ERRORS.forbidden, 'only the user themself, teachers and admins may read a user\'s history');
  }
}
