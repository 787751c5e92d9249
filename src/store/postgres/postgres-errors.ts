// Translates pg failures into the store's AppErrors, in one place, never with the password in the message.
import { AppError, STORE_ERRORS } from '../../errors/index.js';

/** The unique constraint of migration 0001 that makes (user_id, correlation_id) the idempotency key. */
const CORRELATION_CONSTRAINT = 'submissions_user_correlation_unique';

/**
 * SQLSTATE classes and codes meaning the database cannot serve us now (retry later), not that the query is wrong:
 * connection exceptions (08), authorization (28), missing database (3D000), resources (53), operator intervention
 * (57: shutdown, cannot connect now), and a transaction that lost a race the database broke (40001, 40P01).
 */
const UNAVAILABLE_SQLSTATE = /^(08|28|53|57)|^(3D000|40001|40P01)$/;

/** Socket errors of Node's net module while connecting or talking to the server. */
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** Messages pg and Kysely use for a pool or connection that is gone or was closed. */
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Cannot use a pool after calling end on the pool',
  'Client has encountered a connection error',
  'driver has already been destroyed',
];

/** Reasons shown for the socket codes, so an operator reads "connection refused" rather than a bare code. */
const SOCKET_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
};

/** The SQLSTATE of a PostgreSQL error, or the socket code of a connection error (also inside an AggregateError), or null. */
export function postgresErrorCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const innerCode = postgresErrorCode(inner);
      if (innerCode !== null) return innerCode;
    }
  }
  return null;
}

/** Whether the error is the unique (user_id, correlation_id) violation of the submissions table. */
export function isPostgresCorrelationConflict(error: unknown): boolean {
  return postgresErrorCode(error) === '23505' && (error as { constraint?: unknown }).constraint === CORRELATION_CONSTRAINT;
}

/** What the translation needs to know about the database it talks to. */
export interface PostgresErrorContext {
  /** `user@host:port/database`, without the password. */
  display: string;
  /** Scrubbed from every message that reaches the AppError. */
  password: string | null;
}

/**
 * Maps an error thrown while doing `operation` to RUNLANE_ERR_STORE_UNAVAILABLE (cannot connect, authentication refused,
 * the server going away, a store used after close) or RUNLANE_ERR_STORE_QUERY_FAILED; the original stays as `cause`.
 */
export function translatePostgresError(error: unknown, operation: string, context: PostgresErrorContext): AppError {
  const code = postgresErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const socket = code !== null && UNAVAILABLE_SOCKET_CODES.has(code);
  const unavailable = socket || (code !== null && UNAVAILABLE_SQLSTATE.test(code)) || UNAVAILABLE_MESSAGES.some((text) => message.includes(text));
  const reason = socket ? SOCKET_REASONS[code]! : scrub(message, context.password);
  const definition = unavailable ? STORE_ERRORS.unavailable : STORE_ERRORS.queryFailed;
  return new AppError(definition, `The PostgreSQL database ${context.display} could not ${operation}: ${reason}${code && !socket ? ` (${code})` : ''}.`, {
    cause: error,
    details: code ? { postgresCode: code } : undefined,
  });
}

/** The message with every occurrence of the password replaced by `***`. */
export function scrub(message: string, password: string | null): string {
  const text = message === '' ? 'unknown error' : message;
  return password ? text.split(password).join('***') : text;
}
