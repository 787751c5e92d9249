// Error codes of the persistence layer.
import { defineError } from '../app-error.js';

export const STORE_ERRORS = {
  unavailable: defineError('RUNLANE_ERR_STORE_UNAVAILABLE', 503, 'The database cannot be reached or refused the operation.', 'Retry later; check the database named in the server log.'),
  migrationFailed: defineError('RUNLANE_ERR_STORE_MIGRATION_FAILED', 500, 'A database migration failed at start-up.', 'Read the server log for the failing migration; the database was left at the last good version.'),
} as const;
