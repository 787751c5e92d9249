// Kysely Driver whose one SQLite connection lives in a worker thread: statements are posted to it, never run in-thread.
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import { SqliteWorkerClient } from './sqlite-worker-client.js';
import { translateSqliteError } from './sqlite-errors.js';

/** Where the worker opens its database. */
export interface WorkerSqliteDriverOptions {
  /** The database file, or `:memory:`. */
  path: string;
  /** How long a statement waits for another connection's write lock, in ms. */
  busyTimeoutMs: number;
}

/** Rows per chunk of a streamed select; the whole result crosses the thread boundary at once anyway. */
const STREAM_CHUNK_ROWS = 100;

/** The worker-backed connection: the same statements and transactions as Kysely's SqliteDriver, run in the worker. */
export class WorkerSqliteDriver implements Driver {
  readonly #options: WorkerSqliteDriverOptions;
  readonly #mutex = new ConnectionMutex();
  #client: SqliteWorkerClient | null = null;
  #connection: WorkerSqliteConnection | null = null;

  constructor(options: WorkerSqliteDriverOptions) {
    this.#options = { ...options };
  }

  async init(): Promise<void> {
    const client = new SqliteWorkerClient();
    try {
      await client.open(this.#options.path, this.#options.busyTimeoutMs);
    } catch (error) {
      await client.terminate();
      throw translateSqliteError(error, `open ${this.#options.path}`);
    }
    this.#client = client;
    this.#connection = new WorkerSqliteConnection(client);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    // SQLite has one connection here; transactions are serialised by holding it until release.
    await this.#mutex.lock();
    return this.#connection!;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  /** Closes the database in the worker and ends the thread. */
  async destroy(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.close();
  }
}

class WorkerSqliteConnection implements DatabaseConnection {
  constructor(private readonly client: SqliteWorkerClient) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const { rows, changes, lastInsertRowid } = await this.client.query(compiledQuery.sql, compiledQuery.parameters);
    return {
      rows: rows.map(withBuffers) as R[],
      ...(changes === undefined ? {} : { numAffectedRows: BigInt(changes) }),
      ...(lastInsertRowid === undefined ? {} : { insertId: BigInt(lastInsertRowid) }),
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let start = 0; start < rows.length; start += STREAM_CHUNK_ROWS) yield { rows: rows.slice(start, start + STREAM_CHUNK_ROWS) };
  }
}

/** Blobs arrive as plain Uint8Arrays after structured cloning; callers of better-sqlite3 expect Buffers (views, not copies). */
function withBuffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(row)) {
    if (value instanceof Uint8Array && !Buffer.isBuffer(value)) row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return row;
}

/** A FIFO lock: one holder at a time, as Kysely's own SQLite driver does. */
class ConnectionMutex {
  #held: Promise<void> | null = null;
  #release: (() => void) | null = null;

  async lock(): Promise<void> {
    while (this.#held) await this.#held;
    this.#held = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  unlock(): void {
    const release = this.#release;
    this.#held = null;
    this.#release = null;
    release?.();
  }
}
