// Failure behaviour of a cluster of real processes: a worker stalled past its lease, Redis down and back, PostgreSQL down and back.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { CuttableProxy, TestCluster, ThrowawayRedis } from '../support/cluster.js';
import { connect, EventRecorder, request } from '../support/realtime.js';
import { dropSchemas, POSTGRES_TEST_URL, queryTestDatabase, SKIP_POSTGRES, uniqueSchema, urlWithSchema } from '../support/postgres.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { signToken, TEST_JWT_SECRET } from '../support/tokens.js';

const SKIP = SKIP_POSTGRES || process.env.RUNLANE_TEST_REDIS === 'skip';
if (process.env.RUNLANE_TEST_REDIS === 'skip') announceSkip('the cluster failure tests', 'RUNLANE_TEST_REDIS=skip: nothing here checks the shared Redis queue');
/** Short leases and a short lost-job check, so recoveries happen within seconds rather than the defaults' 30. */
const LEASE_MS = 2_000;
const FAST = { RUNLANE_AUTH__ANONYMOUS: 'true', RUNLANE_SCHEDULER__LEASE_MS: String(LEASE_MS), RUNLANE_SCHEDULER__REQUEUE_LOST_AFTER_MS: '3000' };

interface SubmissionBody {
  id: string;
  status: string;
  stdout?: string;
  error?: { code: string; message: string };
}

async function submit(url: string, source: string, options: { wait?: boolean; correlationId?: string } = {}): Promise<{ status: number; body: SubmissionBody; retryAfter: string | null }> {
  const response = await fetch(`${url}/api/v1/submissions${options.wait ? '?wait=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ language: 'python', source, ...(options.correlationId ? { correlationId: options.correlationId } : {}) }),
  });
  return { status: response.status, body: (await response.json()) as SubmissionBody, retryAfter: response.headers.get('retry-after') };
}

async function read(url: string, id: string): Promise<{ status: number; body: SubmissionBody }> {
  const response = await fetch(`${url}/api/v1/submissions/${id}`);
  return { status: response.status, body: (await response.json()) as SubmissionBody };
}

/** Polls GET /submissions/:id until `done` holds (or fails after `timeoutMs`). */
async function pollUntil(url: string, id: string, done: (body: SubmissionBody) => boolean, timeoutMs = 60_000): Promise<SubmissionBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await read(url, id).catch(() => ({ body: { id, status: 'unreachable' } as SubmissionBody }));
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`submission ${id} is still ${body.status} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

interface Row {
  id: string;
  status: string;
  attempts: number;
  stdout: string | null;
  correlation_id: string;
}

function rowsWhere(schema: string, where: string, values: unknown[]): Promise<Row[]> {
  return queryTestDatabase(`select id, status, attempts, stdout, correlation_id, room_id from "${schema}".submissions where ${where}`, values);
}

async function rowUntil(schema: string, id: string, done: (row: Row) => boolean, timeoutMs = 60_000): Promise<Row> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await rowsWhere(schema, 'id = $1', [id]);
    if (row && done(row)) return row;
    if (Date.now() > deadline) throw new Error(`the row of ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(row)}`);
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const clusters: TestCluster[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((cluster) => cluster.close()));
}, 60_000);
afterAll(async () => {
  await dropSchemas();
}, 30_000);

/** Submits (waiting for the result) until the node stops answering 503 after an outage, for at most a minute. */
async function submitOnceBack(url: string, source: string): Promise<Awaited<ReturnType<typeof submit>>> {
  const deadline = Date.now() + 60_000;
  let answer = await submit(url, source, { wait: true });
  while (answer.status === 503 && Date.now() < deadline) {
    await sleep(500);
    answer = await submit(url, source, { wait: true });
  }
  return answer;
}

describe.skipIf(SKIP)('cluster failure behaviour', () => {
  describe('when a worker stalls past its lease while another takes its job over, then wakes up', () => {
    it('should keep the result of the run that took over and drop the stalled run\'s late one', async () => {
      const schema = uniqueSchema();
      const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, databaseUrl: urlWithSchema(schema), env: FAST });
      clusters.push(cluster);
      onTestFailed(() => console.log(cluster.report()));
      const api = await cluster.api();
      const stalled = await cluster.worker();
      // Submitted in a room through a socket on the API node, so the room's events can be counted too. The program
      // prints when it started, so the stored output tells which run wrote it.
      const socket = await connect(api.url!);
      const room = new EventRecorder(socket);
      const roomId = `room-${randomUUID()}`;
      expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
      const executed = await request(socket, 'execute-code', { roomId, language: 'python', code: 'import time\nprint(time.time())\ntime.sleep(5)\nprint("done")' });
      expect(executed.ok, JSON.stringify(executed)).toBe(true);
      await expect.poll(async () => (await rowsWhere(schema, 'room_id = $1', [roomId])).length, { timeout: 30_000 }).toBe(1);
      const body = { id: (await rowsWhere(schema, 'room_id = $1', [roomId]))[0]!.id };
      await rowUntil(schema, body.id, (row) => row.status === 'running' && row.attempts === 1);
      const stoppedAt = Date.now() / 1000;
      stalled.child.kill('SIGSTOP');
      // A ?wait caller on the API node gets exactly one outcome.
      const waiting = fetch(`${api.url}/api/v1/submissions/${body.id}?wait=60000`).then(async (response) => (await response.json()) as SubmissionBody);

      const second = await cluster.worker();
      await rowUntil(schema, body.id, (row) => row.status === 'running' && row.attempts === 2);
      // Wake the stalled worker while the takeover still runs: its program has finished (or soon will) and it tries to record it.
      stalled.child.kill('SIGCONT');
      await expect.poll(() => stalled.output(), { timeout: 30_000 }).toContain('its result was dropped');

      const finished = await waiting;
      expect(finished).toMatchObject({ id: body.id, status: 'completed' });
      const [row] = await rowsWhere(schema, 'id = $1', [body.id]);
      expect(row).toMatchObject({ status: 'completed', attempts: 2 });
      const startedAt = Number((finished.stdout ?? '').split('\n')[0]);
      expect(startedAt).toBeGreaterThan(stoppedAt);
      expect(second.output()).not.toContain('its result was dropped');
      // The room saw one result, the stored one, however long it keeps listening.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const results = room.of('execution-result', (payload: { roomId: string }) => payload.roomId === roomId) as Array<{ output: string }>;
      expect(results).toHaveLength(1);
      expect(results[0]!.output).toBe(finished.stdout);
      socket.close();
    }, 240_000);
  });

  describe('when a job\'s workers keep dying until its attempts are spent', () => {
    it('should list it as a dead letter for admins, and run it again under the same id when an admin retries it', async () => {
      const schema = uniqueSchema();
      const env = { ...FAST, RUNLANE_AUTH__JWT_SECRET: TEST_JWT_SECRET, RUNLANE_AUTH__ANONYMOUS: 'true' };
      const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, databaseUrl: urlWithSchema(schema), env });
      clusters.push(cluster);
      onTestFailed(() => console.log(cluster.report()));
      const api = await cluster.api();
      const admin = { authorization: `Bearer ${await signToken({ role: 'admin' })}` };
      // A live worker first: a language no live worker serves is refused at submit time.
      const first = await cluster.worker();
      const { body } = await submit(api.url!, 'import time\ntime.sleep(4)\nprint("finally")');
      for (const attempt of [1, 2]) {
        const worker = attempt === 1 ? first : await cluster.worker();
        await rowUntil(schema, body.id, (row) => row.status === 'running' && row.attempts === attempt);
        worker.child.kill('SIGKILL');
        await new Promise((resolve) => worker.child.once('exit', resolve));
      }
      await cluster.worker();
      await pollUntil(api.url!, body.id, (current) => current.status === 'failed');

      const forbidden = await fetch(`${api.url}/api/v1/admin/dead-letters`, { headers: { authorization: `Bearer ${await signToken({ role: 'user' })}` } });
      expect(forbidden.status).toBe(403);
      const listed = (await (await fetch(`${api.url}/api/v1/admin/dead-letters`, { headers: admin })).json()) as { items: Array<{ submission: { id: string }; attempts: number }> };
      expect(listed.items).toEqual([expect.objectContaining({ submission: expect.objectContaining({ id: body.id, status: 'failed', verdict: 'internal_error' }), attempts: 2 })]);

      const retried = await fetch(`${api.url}/api/v1/admin/dead-letters/${body.id}/retry`, { method: 'POST', headers: admin });
      expect(retried.status).toBe(202);
      const finished = await pollUntil(api.url!, body.id, (current) => current.status === 'completed', 60_000);
      expect(finished).toMatchObject({ id: body.id, stdout: 'finally\n' });
      expect(await rowUntil(schema, body.id, (row) => row.status === 'completed')).toMatchObject({ attempts: 1 });
      const after = (await (await fetch(`${api.url}/api/v1/admin/dead-letters`, { headers: admin })).json()) as { items: unknown[] };
      expect(after.items).toEqual([]);
    }, 300_000);
  });

  describe('when Redis goes down for about 10 s and comes back empty', () => {
    it('should answer 503 with Retry-After while down, keep serving reads, then recover and run everything accepted', async () => {
      const redis = await ThrowawayRedis.start();
      const schema = uniqueSchema();
      const cluster = new TestCluster({ redisUrl: redis.url, databaseUrl: urlWithSchema(schema), env: FAST });
      clusters.push(cluster);
      onTestFailed(() => console.log(cluster.report()));
      try {
        const api = await cluster.api();
        await cluster.worker(1);
        const done = await submit(api.url!, 'print("before")', { wait: true });
        expect(done.body).toMatchObject({ status: 'completed', stdout: 'before\n' });
        // One job holds the only slot; the next is queued behind it when Redis dies and loses both.
        const holding = await submit(api.url!, 'import time\ntime.sleep(4)\nprint("held")');
        await rowUntil(schema, holding.body.id, (row) => row.status === 'running');
        const queued = await submit(api.url!, 'print("queued before the outage")');
        expect(queued.status).toBe(202);

        await redis.kill();
        const downSince = Date.now();
        const correlationId = randomUUID();
        const refused = await submit(api.url!, 'print("refused")', { correlationId });
        expect(refused.status).toBe(503);
        expect(refused.body.error).toMatchObject({ code: 'RUNLANE_ERR_QUEUE_UNAVAILABLE' });
        expect(Number(refused.retryAfter)).toBeGreaterThan(0);
        // Nothing half-stored: the refused submission left no row.
        expect(await rowsWhere(schema, 'correlation_id = $1', [correlationId])).toEqual([]);
        // Reads need only PostgreSQL.
        expect(await read(api.url!, done.body.id)).toMatchObject({ status: 200, body: { status: 'completed' } });
        expect((await read(api.url!, queued.body.id)).status).toBe(200);
        // The running job finishes on the worker and is stored even though the queue cannot hear of it.
        await rowUntil(schema, holding.body.id, (row) => row.status === 'completed');
        await sleep(Math.max(0, 10_000 - (Date.now() - downSince)));

        await redis.restart();
        // Without restarting any node: the job queued before the outage runs, and new submissions are accepted and run.
        const recovered = await pollUntil(api.url!, queued.body.id, (body) => body.status === 'completed', 90_000);
        expect(recovered.stdout).toBe('queued before the outage\n');
        const after = await submitOnceBack(api.url!, 'print("after")');
        expect(after.body).toMatchObject({ status: 'completed', stdout: 'after\n' });
        // The refused one can be sent again under its correlationId and runs once.
        const again = await submit(api.url!, 'print("refused")', { correlationId, wait: true });
        expect(again.body).toMatchObject({ status: 'completed', stdout: 'refused\n' });
        const rows = await rowsWhere(schema, 'true', []);
        expect(rows.filter((row) => row.status !== 'completed')).toEqual([]);
        expect(rows.find((row) => row.id === holding.body.id)).toMatchObject({ attempts: 1 });
      } finally {
        await cluster.close();
        await redis.kill();
      }
    }, 240_000);
  });

  describe('when PostgreSQL becomes unreachable while a job runs, and comes back', () => {
    it('should answer 503 while down, keep the finished result on the worker and store it once the database is back', async () => {
      const upstream = new URL(POSTGRES_TEST_URL);
      const proxy = await CuttableProxy.start({ host: upstream.hostname, port: Number(upstream.port || 5432) });
      const schema = uniqueSchema();
      const viaProxy = new URL(urlWithSchema(schema));
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const cluster = new TestCluster({ redisUrl: TEST_REDIS_URL, databaseUrl: viaProxy.toString(), env: FAST });
      clusters.push(cluster);
      onTestFailed(() => console.log(cluster.report()));
      try {
        const api = await cluster.api();
        const worker = await cluster.worker();
        const marker = randomUUID();
        const running = await submit(api.url!, `import time\ntime.sleep(3)\nprint('${marker}')`);
        expect(running.status).toBe(202);
        await rowUntil(schema, running.body.id, (row) => row.status === 'running');

        await proxy.cut();
        const correlationId = randomUUID();
        const refused = await submit(api.url!, 'print("refused")', { correlationId });
        expect(refused.status).toBe(503);
        expect(refused.body.error).toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
        expect(Number(refused.retryAfter)).toBeGreaterThan(0);
        // The run ends while the database is away; the worker keeps its result and retries the write.
        await expect.poll(() => worker.output(), { timeout: 30_000, interval: 250 }).toContain('the store is unreachable; will retry to record it completed');
        await sleep(3 * LEASE_MS);
        expect((await rowsWhere(schema, 'id = $1', [running.body.id]))[0]).toMatchObject({ status: 'running' });

        await proxy.restore();
        const stored = await rowUntil(schema, running.body.id, (row) => row.status === 'completed', 60_000);
        expect(stored).toMatchObject({ attempts: 1 });
        expect(await pollUntil(api.url!, running.body.id, (body) => body.status === 'completed')).toMatchObject({ stdout: `${marker}\n` });
        // Nothing from the refused request was stored, and the node takes new work again without a restart.
        expect(await rowsWhere(schema, 'correlation_id = $1', [correlationId])).toEqual([]);
        const after = await submitOnceBack(api.url!, 'print("after")');
        expect(after.body).toMatchObject({ status: 'completed', stdout: 'after\n' });
      } finally {
        await cluster.close();
        await proxy.cut();
      }
    }, 240_000);
  });
});
