// The few schema details that differ between SQL dialects, so one set of migrations serves them all.
import type { ColumnDataType } from 'kysely';

/** SQL dialects the store's migrations know how to target. */
export type SqlDialectName = 'sqlite' | 'postgres';

/** Column types that have no common spelling across the dialects. */
export interface MigrationDialect {
  name: SqlDialectName;
  /** Raw bytes: `blob` in SQLite, `bytea` in PostgreSQL. */
  binaryType: ColumnDataType;
}

/** The dialect-specific column types for a dialect. */
export function migrationDialect(name: SqlDialectName): MigrationDialect {
  return { name, binaryType: name === 'postgres' ? 'bytea' : 'blob' };
}
