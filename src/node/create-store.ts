// The one place that picks the Store implementation from `database.url`: SQLite today, PostgreSQL plugs in here.
import type { Config } from '../config/index.js';
import { AppError, CONFIG_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import { resolveDatabaseTarget } from '../store/database-url.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

/** Where the store of this node lives, decided before anything is opened. */
export interface StorePlan {
  kind: 'sqlite';
  /** The SQLite file. */
  path: string;
}

/**
 * Reads `database.url` (or an explicit SQLite file) into a plan; refuses a database this build cannot open yet, so a node
 * fails before it starts the sandbox.
 */
export function planStore(config: Pick<Config, 'database' | 'dataDir'>, sqlitePath?: string): StorePlan {
  if (sqlitePath !== undefined) return { kind: 'sqlite', path: sqlitePath };
  const target = resolveDatabaseTarget(config.database.url, config.dataDir);
  if (target.kind !== 'sqlite') {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      'invalid configuration: database.url: this node runs the embedded store (a SQLite file); use sqlite:PATH or no database.url',
      { details: { key: 'database.url' } },
    );
  }
  return { kind: 'sqlite', path: target.path };
}

/** Opens (and migrates) the planned store. */
export function createStore(plan: StorePlan, logger: Logger): Promise<Store> {
  return createSqliteStore(plan.path, logger);
}
