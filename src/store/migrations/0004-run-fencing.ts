// Migration 0004: adds the run token that fences a run's writes, and the dead-letter marks of submissions the service failed.
import type { Kysely, Migration } from 'kysely';

/**
 * `run_token` names the run that holds a `running` row; its finish is applied only while the token still matches, so
 * a worker that stalled past its lease cannot overwrite the run that took over. `dead_lettered_at` marks a submission
 * failed by the service (its runs kept being interrupted, or the service faulted), which an admin may queue again;
 * `dead_letter_retries` counts those retries. Plain portable types, one column per ALTER, as in 0003.
 */
export function migration0004RunFencing(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('submissions').addColumn('run_token', 'text').execute();
      await db.schema.alterTable('submissions').addColumn('dead_lettered_at', 'bigint').execute();
      await db.schema.alterTable('submissions').addColumn('dead_letter_retries', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('submissions_dead_lettered_idx').on('submissions').column('dead_lettered_at').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('submissions_dead_lettered_idx').execute();
      await db.schema.alterTable('submissions').dropColumn('dead_letter_retries').execute();
      await db.schema.alterTable('submissions').dropColumn('dead_lettered_at').execute();
      await db.schema.alterTable('submissions').dropColumn('run_token').execute();
    },
  };
}
