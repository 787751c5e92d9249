// PostgresStore: the Store shared by several nodes, Kysely's PostgresDialect over a pg Pool in one schema.
import { Kysely, PostgresDialect, sql } from 'kysely';
import { silentLogger, type Logger } from '../../logging/logger.js';
import type { StoreDatabase } from '../database.js';
import { KyselyStore } from '../kysely/kysely-store.js';
import { migrationDialect } from '../migrations/migration-dialect.js';
import { isPostgresCorrelationConflict, translatePostgresError } from './postgres-errors.js';
import { createPostgresPool } from './postgres-pool.js';
import type { PostgresStoreOptions } from './postgres-store-options.js';
import { checkSchemaName, parsePostgresUrl } from './postgres-url.js';

const DEFAULT_SCHEMA = 'public';
const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The Store over a PostgreSQL database. Open it with {@link createPostgresStore}, which also creates the schema. */
export class PostgresStore extends KyselyStore {
  /** `user@host:port/database`, never the password. */
  readonly display: string;
  /** The schema holding the tables. */
  readonly schema: string;

  /** Prepares the pool (no connection yet); `init()` connects, creates the schema if needed and migrates it. */
  constructor(url: string, logger: Logger = silentLogger(), options: PostgresStoreOptions = {}) {
    const target = parsePostgresUrl(url);
    const schema = target.schema ?? options.schema ?? DEFAULT_SCHEMA;
    checkSchemaName(schema);
    const pool = createPostgresPool({
      connectionString: target.connectionString,
      schema,
      poolSize: target.poolSize ?? options.poolSize ?? DEFAULT_POOL_SIZE,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      logger,
      password: target.password,
    });
    const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
    const context = { display: target.display, password: target.password };
    super(db, {
      dialect: migrationDialect('postgres'),
      migrationSchema: schema,
      lockClaimedRows: true,
      translateError: (error, operation) => translatePostgresError(error, operation, context),
      isCorrelationConflict: isPostgresCorrelationConflict,
      logger,
      now: options.now ?? (() => new Date()),
    });
    this.display = target.display;
    this.schema = schema;
  }

  /** Connects before migrating, so an unreachable server or a refused login is reported as unavailable, not as a failed migration. */
  override async init(): Promise<void> {
    await this.guard('accept a connection', () => sql`select 1`.execute(this.db));
    await super.init();
  }
}

/**
 * Connects to the PostgreSQL database at `url` and migrates its schema (created if missing) to the latest version; several
 * nodes may do this at once. Throws RUNLANE_ERR_STORE_UNAVAILABLE when the server cannot be reached or refuses the login,
 * RUNLANE_ERR_STORE_MIGRATION_FAILED when the schema cannot be brought up to date, RUNLANE_ERR_CONFIG_INVALID for a bad URL.
 */
export async function createPostgresStore(url: string, logger: Logger = silentLogger(), options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const store = new PostgresStore(url, logger, options);
  try {
    await store.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  logger.debug({ database: store.display, schema: store.schema }, 'postgres store ready');
  return store;
}
