// Runs the Store conformance suite against a real SQLite file (and :memory:), plus the SQLite-specific behaviour.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSubmission } from '../../src/store/conformance/fixtures.js';
import { toSubmissionRow } from '../../src/store/kysely/submission-rows.js';
import { migration0001Init } from '../../src/store/migrations/0001-init.js';
import { migrationDialect } from '../../src/store/migrations/migration-dialect.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { describeStoreConformance } from '../../src/store/store-conformance.js';
import type { Store } from '../../src/store/store.js';

const root = join(tmpdir(), `runlane-store-${randomUUID()}`);
const paths = new WeakMap<Store, string>();

async function openFile(path: string): Promise<Store> {
  const store = await createSqliteStore(path);
  paths.set(store, path);
  return store;
}

beforeAll(async () => {
  await mkdir(root, { recursive: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeStoreConformance('SQLite file', () => openFile(join(root, `${randomUUID()}.db`)), {
  reopen: (store) => openFile(paths.get(store)!),
});

describeStoreConformance('SQLite :memory:', () => createSqliteStore(':memory:'));

describe('SqliteStore', () => {
  describe('when opened on a path whose directories do not exist', () => {
    it('should create them and write the database in WAL mode', async () => {
      const path = join(root, randomUUID(), 'nested', 'runlane.db');
      const store = await createSqliteStore(path);
      try {
        await store.nextRoomSequence('room');
        expect(existsSync(path)).toBe(true);
        expect(existsSync(`${path}-wal`)).toBe(true);
      } finally {
        await store.close();
      }
    });
  });

  describe('when two connections share one file', () => {
    it('should hand out unique room sequence numbers across both', async () => {
      const path = join(root, `${randomUUID()}.db`);
      const first = await createSqliteStore(path);
      const second = await createSqliteStore(path);
      try {
        const calls = Array.from({ length: 60 }, (_, index) => (index % 2 === 0 ? first : second).nextRoomSequence('shared'));
        const numbers = (await Promise.all(calls)).sort((a, b) => a - b);
        expect(numbers).toEqual(Array.from({ length: 60 }, (_, index) => index + 1));
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });
  });

  describe('when the path cannot hold a database', () => {
    it('should throw RUNLANE_ERR_STORE_UNAVAILABLE for a directory', async () => {
      const path = join(root, randomUUID());
      await mkdir(path);
      await expect(createSqliteStore(path)).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
    });

    it('should throw RUNLANE_ERR_STORE_UNAVAILABLE for a file that is not a database', async () => {
      const path = join(root, `${randomUUID()}.db`);
      await writeFile(path, 'this is not an SQLite database, just text long enough to have a header'.repeat(20));
      await expect(createSqliteStore(path)).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
    });
  });

  describe('when a database made before request fingerprints is opened', () => {
    it('should add the column and read the old rows back without a fingerprint', async () => {
      const path = join(root, `${randomUUID()}.db`);
      const old = new Database(path);
      const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: old }) });
      try {
        // Only the first migration: the schema as it was before fingerprints.
        const { error } = await new Migrator({ db, provider: { getMigrations: async () => ({ '0001-init': migration0001Init(migrationDialect('sqlite')) }) }, migrationTableName: 'kysely_migration', migrationLockTableName: 'kysely_migration_lock' }).migrateToLatest();
        expect(error).toBeUndefined();
      } finally {
        await db.destroy();
      }
      const legacy = makeSubmission();
      const row = toSubmissionRow(legacy) as Record<string, unknown>;
      delete row.request_fingerprint;
      const raw = new Database(path);
      const columns = Object.keys(row);
      raw.prepare(`INSERT INTO submissions (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...columns.map((column) => row[column] as string | number | null));
      raw.close();

      const store = await createSqliteStore(path);
      try {
        const read = await store.getSubmission(legacy.id);
        expect(read).toEqual(legacy);
        expect(read && 'fingerprint' in read).toBe(false);
      } finally {
        await store.close();
      }
    });
  });

  describe('when a migration fails', () => {
    it('should throw RUNLANE_ERR_STORE_MIGRATION_FAILED and leave no part of it applied', async () => {
      const path = join(root, `${randomUUID()}.db`);
      const foreign = new Database(path);
      // A table the first migration also creates, so it fails after creating the others.
      foreign.exec('CREATE TABLE rooms (anything TEXT)');
      foreign.close();

      await expect(createSqliteStore(path)).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_MIGRATION_FAILED', details: { migration: '0001-init' } });
      const check = new Database(path, { readonly: true });
      try {
        const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('submissions', 'test_case_results')").all();
        expect(tables).toEqual([]);
      } finally {
        check.close();
      }
    });
  });
});
