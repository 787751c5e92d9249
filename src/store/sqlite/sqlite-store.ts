// SqliteStore: the embedded Store, Kysely over a better-sqlite3 file (WAL, foreign keys, busy timeout).
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Kysely } from 'kysely';
import Database from 'better-sqlite3';
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

  /** Opens the file (synchronously: better-sqlite3 is a synchronous driver); call `init()` before use. */
  constructor(path: string, logger: Logger = silentLogger(), options: SqliteStoreOptions = {}) {
    const database = openDatabase(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
    const db = new Kysely<StoreDatabase>({ dialect: new TransactionalSqliteDialect({ database }) });
    super(db, {
      dialect: migrationDialect('sqlite'),
      translateError: translateSqliteError,
      isCorrelationConflict: isSqliteCorrelationConflict,
      logger,
      now: options.now ?? (() => new Date()),
    });
    this.path = path;
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

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  let database: Database.Database | undefined;
  try {
    database = new Database(path, { timeout: busyTimeoutMs });
    // WAL lets readers run while a writer commits; NORMAL sync in WAL mode still survives a process crash.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // SQLite leaves foreign keys off per connection unless asked; the test-case cascade depends on them.
    database.pragma('foreign_keys = ON');
    return database;
  } catch (error) {
    database?.close();
    throw translateSqliteError(error, `open ${path}`);
  }
}
