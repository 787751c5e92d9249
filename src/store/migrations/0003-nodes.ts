// Migration 0003: adds the nodes table and, on submissions, the node holding each one, its starts and whether it is interactive.
import type { Kysely, Migration } from 'kysely';

/**
 * Recovery after a crash is scoped by these: a node heartbeats its `nodes` row, each queued or running submission
 * names the node that holds it (`node_id`), and `attempts` counts starts so an interrupted run is retried only once.
 * Plain portable types and one column per ALTER, so the same statements run on SQLite and PostgreSQL.
 */
export function migration0003Nodes(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('nodes')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('started_at', 'bigint', (col) => col.notNull())
        .addColumn('heartbeat_at', 'bigint', (col) => col.notNull())
        .execute();
      // Rows from before this migration hold no node: the next start treats them as left by a dead one.
      await db.schema.alterTable('submissions').addColumn('node_id', 'text').execute();
      await db.schema.alterTable('submissions').addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      // An interactive run cannot be resumed without the client that typed into it, so recovery must tell it apart.
      await db.schema.alterTable('submissions').addColumn('interactive', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('submissions_status_node_idx').on('submissions').columns(['status', 'node_id']).execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('submissions_status_node_idx').execute();
      await db.schema.alterTable('submissions').dropColumn('interactive').execute();
      await db.schema.alterTable('submissions').dropColumn('attempts').execute();
      await db.schema.alterTable('submissions').dropColumn('node_id').execute();
      await db.schema.dropTable('nodes').execute();
    },
  };
}
