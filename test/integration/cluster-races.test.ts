// Races across two API nodes of one cluster (real processes, one worker): idempotent correlationIds, room caps, an API node restarted mid-work.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { stopProcess, TestCluster } from '../support/cluster.js';
import { dropSchemas, queryTestDatabase, SKIP_POSTGRES, uniqueSchema, urlWithSchema } from '../support/postgres.js';
import type { ReadyRunlane } from '../support/runlane-process.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { signToken, TEST_JWT_SECRET } from '../support/tokens.js';

const SKIP = SKIP_POSTGRES || process.env.RUNLANE_TEST_REDIS === 'skip';
if (process.env.RUNLANE_TEST_REDIS === 'skip') announceSkip('the cluster race tests', 'RUNLANE_TEST_REDIS=skip: nothing here checks the shared Redis queue');
const ROOM_MAX_RUNNING = 1;
const ROOM_MAX_QUEUED = 2;

interface SubmissionBody {
  id: string;
  status: string;
  stdout?: string;
  error?: { code: string };
}

async function submit(url: string, token: string, body: Record<string, unknown>, wait = false): Promise<{ status: number; body: SubmissionBody }> {
  const response = await fetch(`${url}/api/v1/submissions${wait ? '?wait=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ language: 'python', ...body }),
  });
  return { status: response.status, body: (await response.json()) as SubmissionBody };
}

async function pollUntil(url: string, token: string, id: string, done: (body: SubmissionBody) => boolean, timeoutMs = 90_000): Promise<SubmissionBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/api/v1/submissions/${id}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as SubmissionBody;
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`submission ${id} is still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const schema = uniqueSchema();
const cluster = new TestCluster({
  redisUrl: TEST_REDIS_URL,
  databaseUrl: urlWithSchema(schema),
  env: {
    RUNLANE_AUTH__JWT_SECRET: TEST_JWT_SECRET,
    RUNLANE_SCHEDULER__LEASE_MS: '2000',
    RUNLANE_SCHEDULER__ROOM_MAX_RUNNING: String(ROOM_MAX_RUNNING),
    RUNLANE_SCHEDULER__ROOM_MAX_QUEUED: String(ROOM_MAX_QUEUED),
  },
});

describe.skipIf(SKIP)('races across two API nodes', () => {
  let first: ReadyRunlane;
  let second: ReadyRunlane;

  beforeAll(async () => {
    // One node first: it creates the schema, so two nodes do not race to migrate it.
    first = await cluster.api();
    [second] = await Promise.all([cluster.api(), cluster.worker(4)]);
  }, 120_000);

  beforeEach(() => {
    onTestFailed(() => console.log(cluster.report()));
  });

  afterAll(async () => {
    await cluster.close();
    await dropSchemas();
  }, 60_000);

  describe('when the same correlationId is sent to both API nodes at once', () => {
    it('should store and run it once, both answers naming the same submission', async () => {
      const token = await signToken();
      const correlationIds = Array.from({ length: 8 }, () => randomUUID());
      const pairs = await Promise.all(
        correlationIds.map((correlationId) =>
          Promise.all([first, second].map((node) => submit(node.url!, token, { source: `print('${correlationId}')`, correlationId }))),
        ),
      );
      for (const [a, b] of pairs) {
        expect([a!.status, b!.status].every((status) => status === 200 || status === 202)).toBe(true);
        expect(a!.body.id).toBe(b!.body.id);
      }
      const ids = pairs.map(([a]) => a!.body.id);
      await Promise.all(ids.map((id) => pollUntil(first.url!, token, id, (body) => body.status === 'completed')));
      const rows = await queryTestDatabase<{ id: string; attempts: number; status: string }>(`select id, attempts, status from "${schema}".submissions where correlation_id = any($1)`, [correlationIds]);
      expect(rows).toHaveLength(correlationIds.length);
      for (const row of rows) expect(row).toMatchObject({ status: 'completed', attempts: 1 });
    }, 120_000);
  });

  describe('when a room\'s users submit through both API nodes at once', () => {
    it('should hold the room\'s queued and running caps cluster-wide', async () => {
      const roomId = `room-${randomUUID()}`;
      const tokens = await Promise.all(Array.from({ length: 8 }, () => signToken()));
      const answers = await Promise.all(
        tokens.map((token, index) => submit((index % 2 === 0 ? first : second).url!, token, { roomId, source: 'import time\ntime.sleep(1.5)\nprint("ok")' })),
      );
      const accepted = answers.filter((answer) => answer.status === 202);
      const refused = answers.filter((answer) => answer.status === 429);
      expect(accepted.length + refused.length).toBe(tokens.length);
      // At admission nothing of the room had started yet, or one had: never more than running + queued caps.
      expect(accepted.length).toBeGreaterThan(0);
      expect(accepted.length).toBeLessThanOrEqual(ROOM_MAX_RUNNING + ROOM_MAX_QUEUED);
      for (const answer of refused) expect(answer.body.error?.code).toBe('RUNLANE_ERR_QUEUE_ROOM_FULL');

      const acceptedIds = accepted.map((answer) => answer.body.id);
      const acceptedTokens = answers.flatMap((answer, index) => (answer.status === 202 ? [tokens[index]!] : []));
      await Promise.all(acceptedIds.map((id, index) => pollUntil(first.url!, acceptedTokens[index]!, id, (body) => body.status === 'completed')));
      // Runs of the room never overlapped: one ran at a time although four worker slots were free.
      const runs = await queryTestDatabase<{ started_at: string; finished_at: string }>(
        `select started_at, finished_at from "${schema}".submissions where room_id = $1 order by started_at`,
        [roomId],
      );
      expect(runs).toHaveLength(accepted.length);
      for (let index = 1; index < runs.length; index += 1) expect(Number(runs[index]!.started_at)).toBeGreaterThanOrEqual(Number(runs[index - 1]!.finished_at));
    }, 120_000);
  });

  describe('when an API node dies while its jobs are queued and running, and is started again', () => {
    it('should let the jobs finish on the worker, visible from the other node and from the restarted one', async () => {
      const token = await signToken();
      const markers = Array.from({ length: 6 }, () => randomUUID());
      const submitted = await Promise.all(markers.map((marker) => submit(first.url!, token, { source: `import time\ntime.sleep(1)\nprint('${marker}')` })));
      for (const answer of submitted) expect(answer.status).toBe(202);
      // A ?wait client on the node that dies loses its connection; the submission goes on regardless.
      const waiting = submit(first.url!, token, { source: 'import time\ntime.sleep(2)\nprint("waited")' }, true).then(
        () => 'answered' as const,
        () => 'connection lost' as const,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      first.child.kill('SIGKILL');
      await stopProcess(first.child);
      expect(await waiting).toBe('connection lost');

      const polled = await Promise.all(submitted.map((answer) => pollUntil(second.url!, token, answer.body.id, (body) => body.status === 'completed')));
      expect(polled.map((body) => body.stdout)).toEqual(markers.map((marker) => `${marker}\n`));
      // The client that waited on the dead node re-polls: the restarted node (or any other) has its result.
      first = await cluster.api();
      const rows = await queryTestDatabase<{ id: string }>(`select id from "${schema}".submissions where code like $1`, ['%print("waited")%']);
      expect(rows).toHaveLength(1);
      const waited = await pollUntil(first.url!, token, rows[0]!.id, (body) => body.status === 'completed');
      expect(waited.stdout).toBe('waited\n');
    }, 180_000);
  });
});
