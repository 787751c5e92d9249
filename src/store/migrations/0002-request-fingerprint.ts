// Migration 0002: adds submissions.request_fingerprint, the hash an idempotent retry is compared with.
import type { Kysely, Migration } from 'kysely';

/**
 * A nullable text column: rows stored before it existed keep null, which the service treats as matching any retry
 * (it cannot know what those requests were, and refusing every old retry would be worse than trusting them).
 */
export function migration0002RequestFingerprint(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('submissions').addColumn('request_fingerprint', 'text').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('submissions').dropColumn('request_fingerprint').execute();
    },
  };
}
