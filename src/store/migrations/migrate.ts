// Brings a database to the latest schema version, reporting a failure as a typed error.
import { Migrator, type Kysely } from 'kysely';
import { AppError, STORE_ERRORS } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { storeMigrationProvider } from './index.js';
import type { MigrationDialect } from './migration-dialect.js';

/** Kysely's default bookkeeping tables, named explicitly so they never change under an upgrade. */
const MIGRATION_TABLE = 'kysely_migration';
const MIGRATION_LOCK_TABLE = 'kysely_migration_lock';

/**
 * Applies every pending migration, in order. Throws `RUNLANE_ERR_STORE_MIGRATION_FAILED` naming the
 * failing migration; where the dialect has transactional DDL the database stays at the last good version. `schema` names
 * the schema of the bookkeeping tables where the dialect has schemas (PostgreSQL); the migrations' own tables go to the
 * connection's search_path, which the caller points at the same schema.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: MigrationDialect, logger: Logger, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: storeMigrationProvider(dialect),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Named, not left to the search_path: Kysely looks for its tables in every schema it can see, and a same-named table
    // of another schema must not be taken for ours. Kysely creates the schema first, safely when nodes start at once.
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const failed = results.find((result) => result.status === 'Error');
  if (error !== undefined) {
    const migration = failed?.migrationName ?? null;
    logger.error({ err: error, migration }, 'store migration failed');
    throw new AppError(STORE_ERRORS.migrationFailed, migration ? `Database migration ${migration} failed.` : 'Database migrations could not run.', {
      cause: error,
      details: migration ? { migration } : undefined,
    });
  }
  const applied = results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
  if (applied.length > 0) logger.info({ migrations: applied }, 'store schema migrated');
  return applied;
}
