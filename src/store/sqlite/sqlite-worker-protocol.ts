// Messages between the SQLite worker thread and the driver, and how a driver error crosses the thread boundary.

/** Asks the worker to open the database file; the first message the worker receives. */
export interface OpenRequest {
  kind: 'open';
  id: number;
  path: string;
  busyTimeoutMs: number;
}

/** Asks the worker to run one statement. */
export interface QueryRequest {
  kind: 'query';
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

/** Asks the worker to close the database (checkpointing the WAL) before it is terminated. */
export interface CloseRequest {
  kind: 'close';
  id: number;
}

export type WorkerRequest = OpenRequest | QueryRequest | CloseRequest;

/** What a statement returned: the rows of a reader, the counts of a writer. */
export interface QueryOutcome {
  rows: Record<string, unknown>[];
  /** Rows changed by a writer; absent for readers. */
  changes?: number;
  lastInsertRowid?: number | bigint;
}

/** An error as it crosses the thread boundary: plain fields, so nothing is lost to structured cloning. */
export interface SerializedError {
  name: string;
  message: string;
  /** better-sqlite3's result code (`SQLITE_CONSTRAINT_UNIQUE`, …) for SqliteErrors. */
  sqliteCode?: string;
  stack?: string;
}

export type WorkerResponse = { id: number; ok: true; outcome: QueryOutcome | null } | { id: number; ok: false; error: SerializedError };

/** The fields of any thrown value that survive a postMessage. */
export function serializeError(error: unknown, sqliteCode?: string): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return { name: error.name, message: error.message, ...(sqliteCode === undefined ? {} : { sqliteCode }), ...(error.stack === undefined ? {} : { stack: error.stack }) };
}
