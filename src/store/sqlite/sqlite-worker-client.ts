// Starts the SQLite worker thread and turns its messages into promises; a stopped worker fails every caller at once.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { QueryOutcome, SerializedError, WorkerRequest, WorkerResponse } from './sqlite-worker-protocol.js';

/** Text of the error every pending and later request gets once the worker is gone; sqlite-errors.ts maps it to "unavailable". */
export const WORKER_STOPPED_MESSAGE = 'the SQLite worker thread stopped';

/** Request bodies, before the client numbers them. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve: (outcome: QueryOutcome | null) => void;
  reject: (error: Error) => void;
}

/** One worker thread owning one better-sqlite3 handle. Requests run one after another, in the order they were sent. */
export class SqliteWorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #stopped: Error | null = null;

  constructor() {
    this.#worker = startWorker();
    // Idle, the worker must not keep the process alive; while a request waits for it, it must.
    this.#worker.unref();
    this.#worker.on('message', (response: WorkerResponse) => this.#settle(response));
    this.#worker.on('error', (error: Error) => this.#stop(new Error(`${WORKER_STOPPED_MESSAGE}: ${error.message}`, { cause: error })));
    this.#worker.on('exit', (code: number) => this.#stop(new Error(`${WORKER_STOPPED_MESSAGE} (exit code ${code})`)));
  }

  /** Opens the database file in the worker (pragmas included). */
  async open(path: string, busyTimeoutMs: number): Promise<void> {
    await this.#send({ kind: 'open', path, busyTimeoutMs });
  }

  /** Runs one statement; rejects with the worker's error rebuilt (a better-sqlite3 SqliteError keeps its class and code). */
  async query(sql: string, parameters: readonly unknown[]): Promise<QueryOutcome> {
    const outcome = await this.#send({ kind: 'query', sql, parameters });
    return outcome ?? { rows: [] };
  }

  /** Closes the database after the requests already sent, then ends the thread. Safe to call more than once. */
  async close(): Promise<void> {
    if (!this.#stopped) await this.#send({ kind: 'close' }).catch(() => undefined);
    await this.terminate();
  }

  /** Ends the thread at once: requests still waiting fail with the "stopped" error. */
  async terminate(): Promise<void> {
    this.#stop(new Error(`${WORKER_STOPPED_MESSAGE}: the store was closed`));
    await this.#worker.terminate();
  }

  #send(request: Unnumbered<WorkerRequest>): Promise<QueryOutcome | null> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage({ ...request, id });
    });
  }

  #settle(response: WorkerResponse): void {
    const pending = this.#pending.get(response.id);
    if (!pending) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (response.ok) pending.resolve(response.outcome);
    else pending.reject(rebuildError(response.error));
  }

  #stop(reason: Error): void {
    if (this.#stopped) return;
    this.#stopped = reason;
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    this.#worker.unref();
    for (const pending of waiting) pending.reject(reason);
  }
}

/** The worker error as the main thread's error classes, so translation in sqlite-errors.ts sees what it would in-thread. */
function rebuildError(serialized: SerializedError): Error {
  const error = serialized.sqliteCode === undefined ? new Error(serialized.message) : new Database.SqliteError(serialized.message, serialized.sqliteCode);
  if (serialized.sqliteCode === undefined) error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

/**
 * Compiled, the worker is the sibling .js file. Run from TypeScript sources (tests, tsx), it is a .ts file that Node
 * cannot load alone, so a small CommonJS bootstrap registers tsx's loader inside the thread first.
 */
function startWorker(): Worker {
  const entry = new URL(`./sqlite-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  if (entry.pathname.endsWith('.js')) return new Worker(entry);
  const tsxApi = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const bootstrap = `require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(fileURLToPath(entry))});`;
  return new Worker(bootstrap, { eval: true });
}
