// Translates better-sqlite3 failures into the store's AppErrors, in one place.
import Database from 'better-sqlite3';
import { AppError, STORE_ERRORS } from '../../errors/index.js';
import { WORKER_STOPPED_MESSAGE } from './sqlite-worker-client.js';

/** Result codes meaning the file cannot be used (locked, missing, full, read-only, not a database), not that the query is wrong. */
const UNAVAILABLE_CODES = ['SQLITE_NOTADB', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL', 'SQLITE_PERM', 'SQLITE_AUTH'];

/** Messages of a store used after close or whose worker thread died: Kysely's destroyed driver, better-sqlite3's closed handle, the stopped worker. */
const CLOSED_MESSAGES = ['driver has already been destroyed', 'database connection is not open', WORKER_STOPPED_MESSAGE];

/** The SQLite result code of an error (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, …), or null for non-SQLite errors. */
export function sqliteErrorCode(error: unknown): string | null {
  return error instanceof Database.SqliteError ? error.code : null;
}

/** Whether the error is the unique (user_id, correlation_id) violation of the submissions table. */
export function isSqliteCorrelationConflict(error: unknown): boolean {
  return (
    sqliteErrorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error instanceof Error &&
    error.message.includes('submissions.user_id') &&
    error.message.includes('submissions.correlation_id')
  );
}

/** Maps an error thrown while doing `operation` to RUNLANE_ERR_STORE_UNAVAILABLE or RUNLANE_ERR_STORE_QUERY_FAILED; the original stays as `cause`. */
export function translateSqliteError(error: unknown, operation: string): AppError {
  const code = sqliteErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const unavailable = code === null ? CLOSED_MESSAGES.some((text) => message.includes(text)) : UNAVAILABLE_CODES.some((prefix) => code === prefix || code.startsWith(`${prefix}_`));
  const definition = unavailable ? STORE_ERRORS.unavailable : STORE_ERRORS.queryFailed;
  return new AppError(definition, `The SQLite database could not ${operation}${code ? ` (${code})` : ''}.`, { cause: error, details: code ? { sqliteCode: code } : undefined });
}
