// SqliteStore: the embedded Store, Kysely over a better-sqlite3 file (WAL, foreign keys, busy timeout) owned by a worker thread.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Kysely, sql } from 'kysely';
import { AppError, STORE_ERRORS } from '../../errors/index.js';
import { silentLogger, type Logger } from '../../logging/logger.js';
import type { Store } from '../store.js';
import type { StoreDatabase } from '../database.js';
import { KyselyStore } from '../kysely/kysely-store.js';
import { migrationDialect } from '../migrations/migration-dialect.js';
import type { SqliteStoreOptions } from './sqlite-store-options.js';
import { isSqliteCorrelationConflict, translateSqliteError } from './sqlite-errors.js';
import { TransactionalSqliteDialect } from './transactional-sqlite-dialect.js';

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;
/** better-sqlite3's name for a private in-memory database. */
export const SQLITE_MEMORY = ':memory:';

/** The Store over one SQLite file. Open it with {@link createSqliteStore}, which also creates the schema. */
export class SqliteStore extends KyselyStore {
  /** The database file, or `:memory:`. */
  readonly path: string;

  /**
   * Prepares the store; `init()` opens the file in a worker thread and migrates it. better-sqlite3 is synchronous, and
   * writing or reading a result of many megabytes in-thread would stall every request for hundreds of milliseconds.
   */
  constructor(path: string, logger: Logger = silentLogger(), options: SqliteStoreOptions = {}) {
    const dialect = new TransactionalSqliteDialect({ path, busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    const db = new Kysely<StoreDatabase>({ dialect });
    super(db, {
      dialect: migrationDialect('sqlite'),
      translateError: translateSqliteError,
      isCorrelationConflict: isSqliteCorrelationConflict,
      logger,
      now: options.now ?? (() => new Date()),
    });
    this.path = path;
  }

  /** Opens the file before migrating, so a file that is not a database is reported as unavailable, not as a failed migration. */
  override async init(): Promise<void> {
    await this.guard(`open ${this.path}`, () => sql`select 1`.execute(this.db));
    await super.init();
  }
}

/**
 * Opens (creating if needed) the SQLite database at `path` and migrates it to the latest schema.
 * The parent directory is created; `:memory:` gives a private database that vanishes on close.
 * Throws RUNLANE_ERR_STORE_UNAVAILABLE when the file cannot be opened, RUNLANE_ERR_STORE_MIGRATION_FAILED when the schema cannot be brought up to date.
 */
export async function createSqliteStore(path: string, logger: Logger = silentLogger(), options: SqliteStoreOptions = {}): Promise<Store> {
  if (path !== SQLITE_MEMORY && path !== '') {
    await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
      throw new AppError(STORE_ERRORS.unavailable, `Cannot create the directory of the SQLite database ${path}.`, { cause: error });
    });
  }
  const store = new SqliteStore(path, logger, options);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  logger.debug({ path }, 'sqlite store ready');
  return store;
}
