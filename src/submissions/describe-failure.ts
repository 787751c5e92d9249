// Turns a service fault into the one line a user reads as a failed submission's error, with no internals in it.
import { isAppError } from '../errors/index.js';

/** A 5xx fault's details (host paths, tool output) stay in the server log; the user gets its code. */
export function describeFailure(error: unknown): string {
  if (isAppError(error)) {
    return error.statusCode >= 500 ? `the service could not run this execution (${error.code}); the server log has the details` : `${error.message} (${error.code})`;
  }
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' && error !== '' ? error : 'The execution failed for an unknown reason.';
}
