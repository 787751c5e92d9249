// The SQLite store's worker thread: errors cross it intact, a stopped worker fails its callers instead of hanging them.
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSubmission } from '../../src/store/conformance/fixtures.js';
import { SqliteWorkerClient, WORKER_STOPPED_MESSAGE } from '../../src/store/sqlite/sqlite-worker-client.js';
import { translateSqliteError } from '../../src/store/sqlite/sqlite-errors.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const root = join(tmpdir(), `runlane-store-worker-${randomUUID()}`);
/** A statement that keeps the worker busy for seconds: counting through a recursive CTE. */
const SLOW_QUERY = 'with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000000) select count(*) as c from n';

beforeAll(async () => {
  await mkdir(root, { recursive: true });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('SqliteWorkerClient', () => {
  describe('when a statement fails in the worker', () => {
    it('should reject with a better-sqlite3 SqliteError that keeps its code', async () => {
      const client = new SqliteWorkerClient();
      try {
        await client.open(':memory:', 1000);
        await client.query('create table t (k text primary key)', []);
        await client.query('insert into t (k) values (?)', ['a']);
        const failure = await client.query('insert into t (k) values (?)', ['a']).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(Database.SqliteError);
        expect(failure).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY', message: expect.stringContaining('t.k') });
      } finally {
        await client.close();
      }
    });

    it('should bind and return blobs as Buffers', async () => {
      const client = new SqliteWorkerClient();
      try {
        await client.open(':memory:', 1000);
        const { rows } = await client.query('select ? as b', [Buffer.from([1, 2, 3])]);
        expect(Buffer.from(rows[0]!.b as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
      } finally {
        await client.close();
      }
    });
  });

  describe('when the worker stops while a statement runs', () => {
    it('should reject that statement and every later one with the stopped error, which maps to RUNLANE_ERR_STORE_UNAVAILABLE', async () => {
      const client = new SqliteWorkerClient();
      await client.open(':memory:', 1000);
      const pending = client.query(SLOW_QUERY, []).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // A thread inside a native call ends only when the call returns; its callers must not wait for that.
      const stopping = client.terminate();
      const failure = await pending;
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toContain(WORKER_STOPPED_MESSAGE);
      expect(translateSqliteError(failure, 'read')).toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
      await expect(client.query('select 1', [])).rejects.toThrow(WORKER_STOPPED_MESSAGE);
      await stopping;
    });
  });

  describe('when a statement runs long in the worker', () => {
    it('should keep the event loop free meanwhile', async () => {
      const client = new SqliteWorkerClient();
      try {
        await client.open(':memory:', 1000);
        let ticks = 0;
        const timer = setInterval(() => (ticks += 1), 5);
        await client.query(SLOW_QUERY, []);
        clearInterval(timer);
        // In-thread, the query would have run to its end without a single timer tick.
        expect(ticks).toBeGreaterThan(0);
      } finally {
        await client.close();
      }
    });
  });
});

describe('SqliteStore over its worker', () => {
  describe('when closed', () => {
    it('should refuse later calls with RUNLANE_ERR_STORE_UNAVAILABLE and keep what was written', async () => {
      const path = join(root, `${randomUUID()}.db`);
      const store = await createSqliteStore(path);
      const submission = makeSubmission();
      await store.createSubmission(submission);
      await store.close();
      await expect(store.getSubmission(submission.id)).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
      const reopened = await createSqliteStore(path);
      try {
        expect((await reopened.getSubmission(submission.id))?.id).toBe(submission.id);
      } finally {
        await reopened.close();
      }
    });
  });
});
