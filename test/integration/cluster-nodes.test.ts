// A cluster of real processes: one API node (`serve --redis --workers 0`) and worker nodes (`worker`) over one Redis queue and one PostgreSQL schema.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { connect, EventRecorder, request } from '../support/realtime.js';
import { dropSchemas, queryTestDatabase, SKIP_POSTGRES, uniqueSchema, urlWithSchema } from '../support/postgres.js';
import { runRunlaneToExit, SERVING, spawnRunlane, untilReady, type ReadyRunlane } from '../support/runlane-process.js';
import { deleteQueueKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const SKIP = SKIP_POSTGRES || process.env.RUNLANE_TEST_REDIS === 'skip';
if (process.env.RUNLANE_TEST_REDIS === 'skip') announceSkip('the cluster tests', 'RUNLANE_TEST_REDIS=skip: nothing here checks the shared Redis queue');
/** Short leases, so a killed worker's job comes back within seconds rather than the default 30. */
const LEASE_MS = 2_000;

const dataDir = mkdtempSync(join(tmpdir(), 'runlane-cluster-'));
const prefix = `test-${randomUUID()}`;
const schema = uniqueSchema();
const database = urlWithSchema(schema);
const children = new Set<ChildProcess>();

/** Spawns `runlane <args>` on the test's queue and store, and resolves once it logs `ready`. */
function start(args: string[], ready: RegExp): Promise<ReadyRunlane> {
  const started = spawnRunlane([...args, '--redis', TEST_REDIS_URL, '--database', database], { RUNLANE_REDIS__PREFIX: prefix, RUNLANE_SCHEDULER__LEASE_MS: String(LEASE_MS) });
  // Tracked from the spawn on, so a node that never gets ready is stopped after the file too.
  children.add(started.child);
  started.child.once('exit', () => children.delete(started.child));
  return untilReady(started, ready);
}

const startApi = () => start(['serve', '--port', '0', '--data-dir', dataDir, '--workers', '0'], SERVING);
const startWorker = () => start(['worker', '--concurrency', '2'], /"msg":"runlane worker is running"/);

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

interface SubmissionBody {
  id: string;
  status: string;
  stdout?: string;
}

async function submit(url: string, source: string, wait: boolean): Promise<{ status: number; body: SubmissionBody }> {
  const response = await fetch(`${url}/api/v1/submissions${wait ? '?wait=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'python', source }),
  });
  return { status: response.status, body: (await response.json()) as SubmissionBody };
}

/** Polls GET /submissions/:id until `done` holds for it (or fails after `timeoutMs`). */
async function pollUntil(url: string, id: string, done: (body: SubmissionBody) => boolean, timeoutMs = 60_000): Promise<SubmissionBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = (await (await fetch(`${url}/api/v1/submissions/${id}`)).json()) as SubmissionBody;
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`submission ${id} is still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function rowsOf(ids: string[]): Promise<Array<{ id: string; status: string; attempts: number; verdict: string | null; error: string | null }>> {
  return queryTestDatabase(`select id, status, attempts, verdict, error from "${schema}".submissions where id = any($1) order by id`, [ids]);
}

/** Polls the job's row until `done` holds for it. */
async function rowUntil(id: string, done: (row: { status: string; attempts: number }) => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done((await rowsOf([id]))[0]!)) {
    if (Date.now() > deadline) throw new Error(`the row of ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify((await rowsOf([id]))[0])}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function deleteTestQueueKeys(): Promise<void> {
  const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await deleteQueueKeys(admin, prefix);
  } finally {
    admin.disconnect();
  }
}

describe.skipIf(SKIP)('a cluster of an API node and worker nodes', () => {
  let api: ReadyRunlane;
  let apiUrl: string;
  let worker: ReadyRunlane;

  beforeAll(async () => {
    // The API node first: it creates the schema, so two nodes do not race to migrate it.
    api = await startApi();
    apiUrl = api.url!;
    worker = await startWorker();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...children].map((child) => stop(child)));
    await deleteTestQueueKeys();
    await dropSchemas();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  describe('when jobs are submitted to the API node', () => {
    it('should run each exactly once on the worker, answering ?wait= callers and pollers with the output', async () => {
      const markers = Array.from({ length: 10 }, () => randomUUID());
      // Half wait for the result, half are polled: both must see what the worker wrote.
      const answers = await Promise.all(markers.map((marker, index) => submit(apiUrl, `print('${marker}')`, index % 2 === 0)));
      answers.forEach(({ status, body }, index) => {
        if (index % 2 === 0) expect({ status, body }).toMatchObject({ status: 200, body: { status: 'completed', stdout: `${markers[index]}\n` } });
        else expect(status).toBe(202);
      });
      const polled = await Promise.all(answers.map(({ body }) => pollUntil(apiUrl, body.id, (current) => current.status === 'completed')));
      expect(polled.map((body) => body.stdout)).toEqual(markers.map((marker) => `${marker}\n`));

      const ids = answers.map(({ body }) => body.id);
      const rows = await rowsOf(ids);
      expect(rows).toHaveLength(10);
      for (const row of rows) expect(row).toMatchObject({ status: 'completed', attempts: 1 });
      // The API node ran nothing itself.
      expect(api.output()).not.toContain('"msg":"execution failed in the service"');
    }, 120_000);
  });

  describe('when a room member executes code through a socket on the API node', () => {
    it('should show the room the run starting and its result from the worker, in sequence', async () => {
      const socket = await connect(apiUrl);
      try {
        const events = new EventRecorder(socket);
        const roomId = `room-${randomUUID()}`;
        expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
        const marker = randomUUID();
        expect(await request(socket, 'execute-code', { roomId, language: 'python', code: `print('${marker}')` })).toMatchObject({ ok: true, status: 'queued' });
        await events.waitFor('execution-started', (payload: { roomId: string }) => payload.roomId === roomId);
        const result = (await events.waitFor('execution-result', (payload: { roomId: string }) => payload.roomId === roomId)) as { output: string; verdict: string };
        expect(result).toMatchObject({ verdict: 'accepted', output: `${marker}\n` });
        const sequences = events.sequences(roomId);
        expect(sequences.length).toBeGreaterThanOrEqual(3);
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
        expect(new Set(sequences).size).toBe(sequences.length);
      } finally {
        socket.close();
      }
    }, 60_000);
  });

  describe('when the worker running a job is killed', () => {
    it('should run the job again on another worker once its lease expires, and finish it once', async () => {
      const marker = randomUUID();
      const { status, body } = await submit(apiUrl, `import time\ntime.sleep(3)\nprint('${marker}')`, false);
      expect(status).toBe(202);
      await pollUntil(apiUrl, body.id, (current) => current.status === 'running', 30_000);
      // A caller waiting on the API node must be answered when the second worker finishes.
      const waiting = fetch(`${apiUrl}/api/v1/submissions/${body.id}?wait=60000`).then(async (response) => (await response.json()) as SubmissionBody);

      worker.child.kill('SIGKILL');
      await new Promise((resolve) => worker.child.once('exit', resolve));
      // Still `running` in the store: nothing at start-up or on the API node fails work a worker held.
      expect((await rowsOf([body.id]))[0]).toMatchObject({ status: 'running', attempts: 1 });

      const second = await startWorker();
      const finished = await waiting;
      expect(finished).toMatchObject({ id: body.id, status: 'completed', stdout: `${marker}\n` });
      expect((await rowsOf([body.id]))[0]).toMatchObject({ status: 'completed', attempts: 2 });
      expect(second.output()).not.toContain('was not run');
      expect(await stop(second.child)).toBe(0);
    }, 120_000);
  });

  describe('when the workers running a job keep dying', () => {
    it('should fail it with internal_error after scheduler.maxAttempts claims instead of running it a third time', async () => {
      const first = await startWorker();
      const { body } = await submit(apiUrl, 'import time\ntime.sleep(4)\nprint("never")', false);
      await rowUntil(body.id, (row) => row.status === 'running' && row.attempts === 1);
      await kill(first.child);
      const second = await startWorker();
      await rowUntil(body.id, (row) => row.status === 'running' && row.attempts === 2);
      await kill(second.child);

      const third = await startWorker();
      const failed = await pollUntil(apiUrl, body.id, (current) => current.status !== 'running' && current.status !== 'queued');
      expect(failed).toMatchObject({ status: 'failed' });
      expect((await rowsOf([body.id]))[0]).toMatchObject({ status: 'failed', verdict: 'internal_error', attempts: 2, error: expect.stringContaining('interrupted 2 times') });
      expect(await stop(third.child)).toBe(0);
    }, 120_000);
  });

  describe('when a worker is started on a SQLite store', () => {
    it('should refuse to start, naming database.url, before running anything', async () => {
      // No DATABASE_URL from the environment: the worker falls back to the SQLite file (spawn drops undefined variables).
      const { code, output } = await runRunlaneToExit(['worker', '--redis', TEST_REDIS_URL], { DATABASE_URL: undefined, RUNLANE_DATA_DIR: dataDir, RUNLANE_REDIS__PREFIX: prefix });
      expect(code).not.toBe(0);
      expect(output).toContain('database.url');
      expect(output).toContain('must share one store');
    }, 30_000);
  });
});
