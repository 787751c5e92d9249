// Migration 0001: creates the submissions, test_case_results and rooms tables with their indexes.
import type { Kysely, Migration } from 'kysely';
import type { MigrationDialect } from './migration-dialect.js';

/**
 * Times are epoch milliseconds in `bigint` columns and JSON is stored as `text`,
 * so the same statements run on SQLite and PostgreSQL; only the binary type comes from the dialect.
 */
export function migration0001Init(dialect: MigrationDialect): Migration {
  return {
    // Migrations run against whatever schema exists at that version, so they take an untyped handle.
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('submissions')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('correlation_id', 'text', (col) => col.notNull())
        .addColumn('room_id', 'text')
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('username', 'text', (col) => col.notNull())
        .addColumn('avatar', 'text')
        .addColumn('role', 'text', (col) => col.notNull())
        .addColumn('title', 'text')
        .addColumn('language', 'text', (col) => col.notNull())
        .addColumn('version', 'text')
        .addColumn('files', 'text', (col) => col.notNull())
        .addColumn('entry', 'text')
        .addColumn('code', 'text', (col) => col.notNull())
        .addColumn('stdin', 'text', (col) => col.notNull())
        .addColumn('args', 'text', (col) => col.notNull())
        .addColumn('test_cases', 'text', (col) => col.notNull())
        .addColumn('limits', 'text', (col) => col.notNull())
        .addColumn('compare_mode', 'text', (col) => col.notNull())
        .addColumn('output_encoding', 'text', (col) => col.notNull())
        .addColumn('priority_kind', 'text', (col) => col.notNull())
        .addColumn('priority', 'integer', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('verdict', 'text')
        .addColumn('stdout', 'text')
        .addColumn('stderr', 'text')
        .addColumn('exit_code', 'integer')
        .addColumn('signal', 'text')
        // Measured times may have fractions of a millisecond.
        .addColumn('cpu_time_ms', 'double precision')
        .addColumn('wall_time_ms', 'double precision')
        .addColumn('memory_kb', 'bigint')
        .addColumn('compile_output', 'text')
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addUniqueConstraint('submissions_user_correlation_unique', ['user_id', 'correlation_id'])
        .execute();

      await db.schema.createIndex('submissions_room_created_idx').on('submissions').columns(['room_id', 'created_at']).execute();
      await db.schema.createIndex('submissions_user_created_idx').on('submissions').columns(['user_id', 'created_at']).execute();
      await db.schema.createIndex('submissions_status_idx').on('submissions').column('status').execute();
      await db.schema.createIndex('submissions_created_idx').on('submissions').column('created_at').execute();
      // Room stats select by finish time, not creation time.
      await db.schema.createIndex('submissions_room_finished_idx').on('submissions').columns(['room_id', 'finished_at']).execute();

      await db.schema
        .createTable('test_case_results')
        .addColumn('submission_id', 'text', (col) => col.notNull().references('submissions.id').onDelete('cascade'))
        .addColumn('idx', 'integer', (col) => col.notNull())
        .addColumn('verdict', 'text', (col) => col.notNull())
        .addColumn('stdout', 'text', (col) => col.notNull())
        .addColumn('stderr', 'text', (col) => col.notNull())
        .addColumn('expected_output', 'text')
        .addColumn('exit_code', 'integer')
        .addColumn('signal', 'text')
        .addColumn('cpu_time_ms', 'double precision', (col) => col.notNull())
        .addColumn('wall_time_ms', 'double precision', (col) => col.notNull())
        .addColumn('memory_kb', 'bigint', (col) => col.notNull())
        .addColumn('invalid_utf8', 'integer', (col) => col.notNull())
        .addColumn('message', 'text')
        .addPrimaryKeyConstraint('test_case_results_pk', ['submission_id', 'idx'])
        .execute();

      await db.schema
        .createTable('rooms')
        .addColumn('room_id', 'text', (col) => col.primaryKey())
        .addColumn('code', 'text', (col) => col.notNull())
        .addColumn('language', 'text')
        .addColumn('sequence', 'bigint', (col) => col.notNull())
        .addColumn('document', dialect.binaryType)
        .addColumn('execution_count', 'bigint', (col) => col.notNull())
        .addColumn('last_execution_at', 'bigint')
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('rooms').execute();
      await db.schema.dropTable('test_case_results').execute();
      await db.schema.dropTable('submissions').execute();
    },
  };
}
