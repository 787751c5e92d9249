// Kysely's SQLite dialect over the worker-thread driver, with transactional DDL so a failed migration leaves the schema untouched.
import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver, type Kysely, type QueryCompiler } from 'kysely';
import { WorkerSqliteDriver, type WorkerSqliteDriverOptions } from './worker-sqlite-driver.js';

/** SQLite can roll back CREATE TABLE and friends; Kysely's adapter just does not claim it. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** SQLite through a worker thread (see WorkerSqliteDriver); migrations run inside one transaction. */
export class TransactionalSqliteDialect implements Dialect {
  constructor(private readonly options: WorkerSqliteDriverOptions) {}

  createDriver(): Driver {
    return new WorkerSqliteDriver(this.options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
