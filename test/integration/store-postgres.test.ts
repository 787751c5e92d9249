// Runs the Store conformance suite against the real PostgreSQL, plus what only several connections can show: races between nodes.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { toSubmissionRow } from '../../src/store/kysely/submission-rows.js';
import { migration0001Init } from '../../src/store/migrations/0001-init.js';
import { migrationDialect } from '../../src/store/migrations/migration-dialect.js';
import { rejectionOf } from '../../src/store/conformance/harness.js';
import { at, makeSubmission } from '../../src/store/conformance/fixtures.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { describeStoreConformance } from '../../src/store/store-conformance.js';
import type { Store } from '../../src/store/store.js';
import { dropSchemas, POSTGRES_TEST_URL, queryTestDatabase, SKIP_POSTGRES, uniqueSchema } from '../support/postgres.js';

const schemas = new WeakMap<Store, string>();

/** A store in its own schema, or (given one) a second store over that schema, as another node or a restart would open it. */
async function openStore(schema = uniqueSchema()): Promise<PostgresStore> {
  const store = await createPostgresStore(POSTGRES_TEST_URL, undefined, { schema, poolSize: 4 });
  schemas.set(store, schema);
  return store;
}

/** Two stores (two pools, as two nodes have) over one fresh schema; closed by the caller. */
async function twoNodes(): Promise<[PostgresStore, PostgresStore]> {
  const first = await openStore();
  return [first, await openStore(first.schema)];
}

/** A port nothing listens on: taken from the kernel, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterAll(async () => {
  if (!SKIP_POSTGRES) await dropSchemas();
});

describe.skipIf(SKIP_POSTGRES)('PostgreSQL', () => {
  describe('when the tests start', () => {
    it('should reach the server at RUNLANE_TEST_POSTGRES_URL (RUNLANE_TEST_POSTGRES=skip skips these tests, loudly)', async () => {
      expect(await queryTestDatabase<{ ok: number }>('select 1 as ok')).toEqual([{ ok: 1 }]);
    });
  });

  describeStoreConformance('PostgreSQL', () => openStore(), { reopen: (store) => openStore(schemas.get(store)!) });

  describe('PostgresStore', () => {
    describe('when two nodes advance one room sequence at once', () => {
      it('should hand out every number once, gap-free and strictly increasing per caller', async () => {
        const [first, second] = await twoNodes();
        try {
          const perNode = async (store: Store) => {
            const seen: number[] = [];
            // Batches of 1 to 3, as a room reserving numbers for several events at once does.
            for (let call = 0; call < 40; call++) {
              const count = (call % 3) + 1;
              const last = await store.nextRoomSequence('race', count);
              for (let value = last - count + 1; value <= last; value++) seen.push(value);
            }
            return seen;
          };
          const [a, b] = await Promise.all([perNode(first), perNode(second)]);
          for (const seen of [a, b]) expect(seen).toEqual([...seen].sort((x, y) => x - y));
          const all = [...a, ...b].sort((x, y) => x - y);
          expect(all).toEqual(Array.from({ length: all.length }, (_, index) => index + 1));
          expect((await first.getRoom('race'))?.sequence).toBe(all.length);
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      });

      it('should stay gap-free with many concurrent callers on both pools', async () => {
        const [first, second] = await twoNodes();
        try {
          const calls = Array.from({ length: 120 }, (_, index) => (index % 2 === 0 ? first : second).nextRoomSequence('burst'));
          const numbers = (await Promise.all(calls)).sort((a, b) => a - b);
          expect(numbers).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      });
    });

    describe('when two nodes move the same submission at once', () => {
      it('should let exactly one start win, and record the winner', async () => {
        const [first, second] = await twoNodes();
        try {
          const submissions = Array.from({ length: 20 }, () => makeSubmission());
          for (const submission of submissions) await first.createSubmission(submission);
          for (const submission of submissions) {
            const outcomes = await Promise.all([
              first.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' }),
              second.transition(submission.id, ['queued'], { status: 'running', startedAt: at(2), nodeId: 'node-b' }),
            ]);
            expect(outcomes.filter(Boolean)).toHaveLength(1);
            const [row] = await queryTestDatabase<{ node_id: string; attempts: number }>(`select node_id, attempts from ${first.schema}.submissions where id = $1`, [submission.id]);
            expect(row).toEqual({ node_id: outcomes[0] ? 'node-a' : 'node-b', attempts: 1 });
          }
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      });

      it('should keep the first finish and refuse the other', async () => {
        const [first, second] = await twoNodes();
        try {
          const submission = makeSubmission();
          await first.createSubmission(submission);
          await first.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' });
          const finish = (store: Store, status: 'cancelled' | 'failed') => store.transition(submission.id, ['running'], { status, verdict: null, result: null, error: status, finishedAt: at(5) });
          const outcomes = await Promise.all([finish(first, 'cancelled'), finish(second, 'failed')]);
          expect(outcomes.filter(Boolean)).toHaveLength(1);
          expect((await second.getSubmission(submission.id))?.status).toBe(outcomes[0] ? 'cancelled' : 'failed');
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      });
    });

    describe('when two nodes claim orphans at the same moment', () => {
      it('should give each orphan to exactly one of them', async () => {
        const [first, second] = await twoNodes();
        try {
          const now = new Date();
          const orphans = Array.from({ length: 150 }, (_, index) => makeSubmission({ createdAt: at(index) }));
          for (const submission of orphans) await first.createSubmission(submission, { nodeId: 'dead-node' });
          await first.registerNode('node-a', now);
          await second.registerNode('node-b', now);
          const staleBefore = new Date(now.getTime() - 30_000);
          const [a, b] = await Promise.all([first.claimOrphans('node-a', staleBefore), second.claimOrphans('node-b', staleBefore)]);
          const idsA = a.map((orphan) => orphan.submission.id);
          const idsB = b.map((orphan) => orphan.submission.id);
          expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
          expect([...idsA, ...idsB].sort()).toEqual(orphans.map((submission) => submission.id).sort());
          // Each claimer's list is oldest first, and the rows name their claimer.
          for (const claimed of [a, b]) {
            const times = claimed.map((orphan) => orphan.submission.createdAt.getTime());
            expect(times).toEqual([...times].sort((x, y) => x - y));
          }
          const holders = await queryTestDatabase<{ node_id: string; n: number }>(`select node_id, count(*)::int as n from ${first.schema}.submissions group by node_id order by node_id`);
          expect(holders).toEqual([{ node_id: 'node-a', n: idsA.length }, { node_id: 'node-b', n: idsB.length }].filter((row) => row.n > 0));
          // Both nodes are alive, so neither takes the other's claims afterwards.
          expect(await first.claimOrphans('node-a-again', staleBefore)).toEqual([]);
        } finally {
          await Promise.all([first.close(), second.close()]);
        }
      });
    });

    describe('when two stores use different schemas of one database', () => {
      it('should keep their data apart', async () => {
        const [one, other] = await Promise.all([openStore(), openStore()]);
        try {
          const submission = makeSubmission();
          await one.createSubmission(submission);
          expect(await one.getSubmission(submission.id)).toEqual(submission);
          expect(await other.getSubmission(submission.id)).toBeNull();
          await other.createSubmission(submission);
          expect(await other.getSubmission(submission.id)).toEqual(submission);
        } finally {
          await Promise.all([one.close(), other.close()]);
        }
      });
    });

    describe('when several nodes start on a new schema at once', () => {
      it('should migrate it once and open every store', async () => {
        const schema = uniqueSchema();
        const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(schema)));
        try {
          const migrations = await queryTestDatabase<{ name: string }>(`select name from ${schema}.kysely_migration order by name`);
          expect(migrations.map((row) => row.name)).toEqual(['0001-init', '0002-request-fingerprint', '0003-nodes', '0004-run-fencing']);
        } finally {
          await Promise.all(stores.map((store) => store.close()));
        }
      });
    });

    describe('when text holds the characters PostgreSQL text cannot or the escape uses', () => {
      it('should store them without NUL and read them back exactly', async () => {
        const store = await openStore();
        try {
          const awkward = 'a\u0000b \uFDD0 \uFDD00 \uFDD0\uFDD0 \u0000\u0000';
          const submission = makeSubmission({ title: awkward, request: { ...makeSubmission().request, stdin: awkward, files: [{ name: 'main.py', content: awkward }] } });
          await store.createSubmission(submission);
          expect(await store.getSubmission(submission.id)).toEqual(submission);
          expect((await store.findByCorrelationId(submission.user.userId, submission.correlationId))?.id).toBe(submission.id);
        } finally {
          await store.close();
        }
      });
    });

    describe('when the server cannot be reached or refuses the login', () => {
      it('should throw RUNLANE_ERR_STORE_UNAVAILABLE saying the connection was refused', async () => {
        const url = new URL(POSTGRES_TEST_URL);
        url.port = String(await closedPort());
        url.password = 'hunter2-secret';
        const error = await rejectionOf(createPostgresStore(url.toString(), undefined, { schema: uniqueSchema(), connectTimeoutMs: 3_000 }));
        expect(error).toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE', statusCode: 503, message: expect.stringContaining('connection refused') });
        expect((error as Error).message).not.toContain('hunter2-secret');
        expect((error as Error).message).toContain(`127.0.0.1:${url.port}`);
      });

      it('should throw RUNLANE_ERR_STORE_UNAVAILABLE for an unknown user, without the password', async () => {
        const url = new URL(POSTGRES_TEST_URL);
        url.username = 'no_such_runlane_user';
        url.password = 'hunter2-secret';
        const error = await rejectionOf(createPostgresStore(url.toString(), undefined, { schema: uniqueSchema() }));
        expect(error).toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE', details: { postgresCode: '28000' } });
        expect((error as Error).message).toContain('no_such_runlane_user');
        expect((error as Error).message).not.toContain('hunter2-secret');
      });

      it('should throw RUNLANE_ERR_STORE_UNAVAILABLE for a database that does not exist', async () => {
        const url = new URL(POSTGRES_TEST_URL);
        url.pathname = '/no_such_runlane_database';
        await expect(createPostgresStore(url.toString(), undefined, { schema: uniqueSchema() })).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE', details: { postgresCode: '3D000' } });
      });
    });

    describe('when the schema name is not a plain identifier', () => {
      it('should refuse it with RUNLANE_ERR_CONFIG_INVALID before connecting', async () => {
        await expect(createPostgresStore(POSTGRES_TEST_URL, undefined, { schema: 'bad"; drop schema public; --' })).rejects.toMatchObject({ code: 'RUNLANE_ERR_CONFIG_INVALID' });
      });
    });

    describe('when the server drops an idle connection of the pool', () => {
      it('should log it, open a new one for the next call, and not crash the process', async () => {
        const name = `rl_probe_${randomBytes(6).toString('hex')}`;
        const url = new URL(POSTGRES_TEST_URL);
        url.searchParams.set('application_name', name);
        // The test server trusts local logins, so any password is accepted; it must still never reach a log line.
        url.password = 'hunter2-secret';
        const lines = new PassThrough();
        let logged = '';
        lines.on('data', (chunk: Buffer) => (logged += chunk.toString()));
        const store = await createPostgresStore(url.toString(), createLogger({ level: 'warn', destination: lines }), { schema: uniqueSchema(), poolSize: 1 });
        try {
          expect(await store.nextRoomSequence('room')).toBe(1);
          const killed = await queryTestDatabase<{ done: boolean }>('select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1', [name]);
          expect(killed).toEqual([{ done: true }]);
          // Let the termination reach the idle client; without the pool's error listener this would end the process.
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(await store.nextRoomSequence('room')).toBe(2);
          expect(logged).toContain('an idle PostgreSQL connection failed');
          expect(logged).toContain('57P01');
          expect(logged).not.toContain('hunter2-secret');
        } finally {
          await store.close();
        }
      });
    });

    describe('when a schema made before request fingerprints is opened', () => {
      it('should apply the later migrations and read the old rows back', async () => {
        const schema = uniqueSchema();
        const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: POSTGRES_TEST_URL, options: `-c search_path=${schema}`, max: 1 }) }) });
        try {
          // Only the first migration: the schema as it was before fingerprints and nodes.
          const { error } = await new Migrator({
            db,
            provider: { getMigrations: async () => ({ '0001-init': migration0001Init(migrationDialect('postgres')) }) },
            migrationTableName: 'kysely_migration',
            migrationLockTableName: 'kysely_migration_lock',
            migrationTableSchema: schema,
          }).migrateToLatest();
          expect(error).toBeUndefined();
        } finally {
          await db.destroy();
        }
        const legacy = makeSubmission();
        const row = toSubmissionRow(legacy) as Record<string, unknown>;
        delete row.request_fingerprint;
        const columns = Object.keys(row);
        await queryTestDatabase(`insert into ${schema}.submissions (${columns.join(', ')}) values (${columns.map((_, index) => `$${index + 1}`).join(', ')})`, columns.map((column) => row[column]));

        const store = await openStore(schema);
        try {
          const read = await store.getSubmission(legacy.id);
          expect(read).toEqual(legacy);
          expect(read && 'fingerprint' in read).toBe(false);
          // Rows from before 0003 hold no node, so the next start claims them.
          expect((await store.claimOrphans('me', new Date())).map((orphan) => [orphan.submission.id, orphan.attempts])).toEqual([[legacy.id, 0]]);
        } finally {
          await store.close();
        }
      });
    });

    describe('when a migration fails', () => {
      it('should throw RUNLANE_ERR_STORE_MIGRATION_FAILED and leave no part of it applied', async () => {
        const schema = uniqueSchema();
        // A table the first migration also creates, so it fails after creating the others.
        await queryTestDatabase(`create schema ${schema}`);
        await queryTestDatabase(`create table ${schema}.rooms (anything text)`);
        await expect(openStore(schema)).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_MIGRATION_FAILED', details: { migration: '0001-init' } });
        const tables = await queryTestDatabase<{ table_name: string }>("select table_name from information_schema.tables where table_schema = $1 and table_name in ('submissions', 'test_case_results')", [schema]);
        expect(tables).toEqual([]);
      });
    });

    describe('when the store is used after close', () => {
      it('should throw RUNLANE_ERR_STORE_UNAVAILABLE', async () => {
        const store = await openStore();
        await store.close();
        await expect(store.getSubmission('x')).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
      });
    });
  });
});
