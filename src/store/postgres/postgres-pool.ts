// The pg Pool the store's Kysely dialect uses: numbers parsed as numbers, NUL-safe text, one schema, idle errors logged.
import pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Logger } from '../../logging/logger.js';
import { escapeNul, unescapeNul } from './nul-escape.js';
import { scrub } from './postgres-errors.js';

/** Type OIDs of pg_catalog.pg_type whose text form the store reads differently from pg's defaults. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const TEXT_OIDS = new Set([25, 1042, 1043]);

/** Where and how to connect. */
export interface PostgresPoolSettings {
  connectionString: string;
  schema: string;
  poolSize: number;
  connectTimeoutMs: number;
  logger: Logger;
  /** The URL's password, only to keep it out of log lines. */
  password: string | null;
}

/**
 * How the store reads column values: `bigint` (epoch milliseconds, counters, `count(*)`) and `numeric` (`sum` of a bigint)
 * as JavaScript numbers, like SQLite's integers (every value the store keeps is far below 2^53); `text` through
 * {@link unescapeNul}. Scoped to this pool, so other pg users in the process keep pg's defaults.
 */
const STORE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
      if (TEXT_OIDS.has(oid)) return unescapeNul;
    }
    return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Opens the pool; connections are made lazily, on first use. */
export function createPostgresPool(settings: PostgresPoolSettings): NulSafePool {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // A startup parameter rather than a `SET` after connecting, so no query can run before it applies. The name was
    // checked to be a plain identifier (postgres-url.ts), so it needs no quoting.
    options: `-c search_path=${settings.schema}`,
    types: STORE_TYPES,
    // Names the connections in pg_stat_activity, for an operator looking at the server (the URL's own wins).
    application_name: 'runlane',
  });
  // pg emits 'error' for an idle connection the server dropped; without a listener that would end the process. The error
  // carries the pg client (and with it the connection's password), so only its code and message are logged.
  pool.on('error', (error: Error & { code?: string }) =>
    settings.logger.warn({ postgresCode: error.code ?? null, reason: scrub(error.message, settings.password) }, 'an idle PostgreSQL connection failed; the pool will open a new one'),
  );
  // The pool listens only while a connection is idle: one that fails while checked out (between the statements of a
  // transaction, as when the network to the server is cut) would emit 'error' with nobody listening and end the
  // process. Its queries fail on their own (RUNLANE_ERR_STORE_UNAVAILABLE) and the pool discards it on release.
  pool.on('connect', (client: pg.PoolClient) => {
    client.on('error', (error: Error & { code?: string }) =>
      settings.logger.warn({ postgresCode: error.code ?? null, reason: scrub(error.message, settings.password) }, 'a PostgreSQL connection in use failed; the pool will open a new one'),
    );
  });
  return new NulSafePool(pool);
}

/**
 * The pool as Kysely's PostgresDialect sees it, escaping NUL in every string parameter on the way in (text read back is
 * unescaped by the pool's type parsers). PostgreSQL text cannot hold NUL; program output and stdin can.
 */
export class NulSafePool implements PostgresPool {
  readonly #clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();

  constructor(private readonly pool: pg.Pool) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    let wrapped = this.#clients.get(client);
    if (!wrapped) {
      wrapped = {
        query: (text: string, parameters: readonly unknown[]) => client.query(text, parameters.map(escapeParameter)),
        release: () => client.release(),
      } as unknown as PostgresPoolClient;
      this.#clients.set(client, wrapped);
    }
    return wrapped;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

function escapeParameter(value: unknown): unknown {
  return typeof value === 'string' ? escapeNul(value) : value;
}
