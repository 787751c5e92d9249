// Worker thread that owns the better-sqlite3 handle, so statements on large rows never block the server's event loop.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { serializeError, type QueryOutcome, type WorkerRequest, type WorkerResponse } from './sqlite-worker-protocol.js';

let database: Database.Database | null = null;

function open(path: string, busyTimeoutMs: number): void {
  const opened = new Database(path, { timeout: busyTimeoutMs });
  try {
    // WAL lets readers run while a writer commits; NORMAL sync in WAL mode still survives a process crash.
    opened.pragma('journal_mode = WAL');
    opened.pragma('synchronous = NORMAL');
    // SQLite leaves foreign keys off per connection unless asked; the test-case cascade depends on them.
    opened.pragma('foreign_keys = ON');
  } catch (error) {
    opened.close();
    throw error;
  }
  database = opened;
}

function query(sql: string, parameters: readonly unknown[]): QueryOutcome {
  if (!database) throw new TypeError('The database connection is not open');
  const statement = database.prepare(sql);
  const bound = parameters.map(asBindable);
  if (statement.reader) return { rows: statement.all(bound) as Record<string, unknown>[] };
  const { changes, lastInsertRowid } = statement.run(bound);
  return { rows: [], changes, lastInsertRowid };
}

/** Structured cloning turns Buffers into plain Uint8Arrays, which better-sqlite3 does not bind as blobs. */
function asBindable(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

function handle(request: WorkerRequest): QueryOutcome | null {
  switch (request.kind) {
    case 'open':
      open(request.path, request.busyTimeoutMs);
      return null;
    case 'query':
      return query(request.sql, request.parameters);
    case 'close':
      database?.close();
      database = null;
      return null;
  }
}

parentPort?.on('message', (request: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    response = { id: request.id, ok: true, outcome: handle(request) };
  } catch (error) {
    response = { id: request.id, ok: false, error: serializeError(error, error instanceof Database.SqliteError ? error.code : undefined) };
  }
  parentPort?.postMessage(response);
});
