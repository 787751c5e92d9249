// The one place that picks the Store implementation from `database.url`: a SQLite file, or PostgreSQL.
import type { Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { resolveDatabaseTarget } from '../store/database-url.js';
import { createPostgresStore } from '../store/postgres/postgres-store.js';
import { parsePostgresUrl } from '../store/postgres/postgres-url.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

/** Where the store of this node lives, decided before anything is opened. */
export type StorePlan =
  | {
      kind: 'sqlite';
      /** The SQLite file. */
      path: string;
    }
  | {
      kind: 'postgres';
      /** The postgres:// URL, with its password: never log it (see {@link describeStorePlan}). */
      url: string;
    };

/**
 * Reads `database.url` (or an explicit SQLite file) into a plan; a malformed PostgreSQL URL or schema name is refused here,
 * so a node fails before it starts the sandbox.
 */
export function planStore(config: Pick<Config, 'database' | 'dataDir'>, sqlitePath?: string): StorePlan {
  if (sqlitePath !== undefined) return { kind: 'sqlite', path: sqlitePath };
  const target = resolveDatabaseTarget(config.database.url, config.dataDir);
  if (target.kind === 'postgres') {
    parsePostgresUrl(target.url);
    return { kind: 'postgres', url: target.url };
  }
  return { kind: 'sqlite', path: target.path };
}

/** The plan as it may be logged: the SQLite file, or `postgres://user@host:port/database` and its schema, never a password. */
export function describeStorePlan(plan: StorePlan): string {
  if (plan.kind === 'sqlite') return plan.path;
  const target = parsePostgresUrl(plan.url);
  return `postgres://${target.display}${target.schema === null ? '' : ` (schema ${target.schema})`}`;
}

/** Opens (and migrates) the planned store. */
export function createStore(plan: StorePlan, logger: Logger): Promise<Store> {
  if (plan.kind === 'postgres') return createPostgresStore(plan.url, logger);
  return createSqliteStore(plan.path, logger);
}
