// Kysely's SQLite dialect with transactional DDL, so a failed migration leaves the schema untouched.
import { SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';

/** SQLite can roll back CREATE TABLE and friends; Kysely's adapter just does not claim it. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** SqliteDialect whose migrations run inside one transaction. */
export class TransactionalSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
