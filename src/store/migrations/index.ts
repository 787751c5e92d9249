// The ordered list of schema migrations, served to Kysely's Migrator without touching the file system.
import type { Migration, MigrationProvider } from 'kysely';
import { migration0001Init } from './0001-init.js';
import { migration0002RequestFingerprint } from './0002-request-fingerprint.js';
import { migration0003Nodes } from './0003-nodes.js';
import { migration0004RunFencing } from './0004-run-fencing.js';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Every migration by name; names sort in the order they run. Imported statically rather than
 * read from a folder, so the same provider works from TypeScript sources and from compiled output.
 * Append new migrations here; never edit or rename one that has shipped.
 */
export function storeMigrations(dialect: MigrationDialect): Record<string, Migration> {
  return {
    '0001-init': migration0001Init(dialect),
    '0002-request-fingerprint': migration0002RequestFingerprint(),
    '0003-nodes': migration0003Nodes(),
    '0004-run-fencing': migration0004RunFencing(),
  };
}

/** A Migrator provider for the store's migrations in the given dialect. */
export function storeMigrationProvider(dialect: MigrationDialect): MigrationProvider {
  return { getMigrations: async () => storeMigrations(dialect) };
}
