// Error codes of the persistence layer.
import { defineError } from '../app-error.js';

export const STORE_ERRORS = {
  unavailable: defineError('RUNLANE_ERR_STORE_UNAVAILABLE', 503, 'The database cannot be reached or refused the operation.', 'Retry later; check the database named in the server log.'),
  migrationFailed: defineError('RUNLANE_ERR_STORE_MIGRATION_FAILED', 500, 'A database migration failed at start-up.', 'Read the server log for the failing migration; the database was left at the last good version.'),
  queryFailed: defineError('RUNLANE_ERR_STORE_QUERY_FAILED', 500, 'The database rejected a query or returned data the service could not read.', 'Report it with the server log; the database may be corrupt or from a newer version of the service.'),
  duplicateCorrelationId: defineError('RUNLANE_ERR_STORE_DUPLICATE_CORRELATION_ID', 409, 'A submission with this correlationId already exists for this user.', 'Fetch the existing submission instead: the same correlationId from the same user always names the same submission.'),
  notFound: defineError('RUNLANE_ERR_STORE_NOT_FOUND', 404, 'The submission to update does not exist (it may have been swept by retention).', 'Check the submission id; finished submissions are deleted after the retention period.'),
  invalidTransition: defineError('RUNLANE_ERR_STORE_INVALID_TRANSITION', 409, 'The submission is in a status that cannot move to the requested one (for example it was already cancelled or finished).', 'Read the submission again and act on its current status; finished submissions never change.'),
} as const;
