// Typed errors every Store implementation throws, so callers can react without knowing the database.
import { AppError, STORE_ERRORS } from '../errors/index.js';

/**
 * Thrown by `createSubmission` when the user already has a submission with this correlationId.
 * It is an AppError (`RUNLANE_ERR_STORE_DUPLICATE_CORRELATION_ID`, 409); catch it by class to
 * answer an idempotent retry with the existing submission (`findByCorrelationId`).
 */
export class DuplicateCorrelationIdError extends AppError {
  readonly userId: string;
  readonly correlationId: string;

  constructor(userId: string, correlationId: string, cause?: unknown) {
    super(STORE_ERRORS.duplicateCorrelationId, `A submission with correlationId "${correlationId}" already exists for this user.`, {
      cause,
      details: { correlationId },
    });
    this.name = 'DuplicateCorrelationIdError';
    this.userId = userId;
    this.correlationId = correlationId;
  }
}
