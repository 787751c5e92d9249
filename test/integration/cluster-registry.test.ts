// The worker registry across real processes: per-language workers, the workers list, cluster figures, readiness, and what a killed or stopped worker takes with it.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { stopProcess, TestCluster } from '../support/cluster.js';
import { queryTestDatabase, SKIP_POSTGRES } from '../support/postgres.js';
import { runRunlaneToExit, type ReadyRunlane } from '../support/runlane-process.js';
import { TEST_REDIS_URL } from '../support/services.js';
import { makeUser } from '../support/tokens.js';

const SKIP = SKIP_POSTGRES || process.env.RUNLANE_TEST_REDIS === 'skip';
if (process.env.RUNLANE_TEST_REDIS === 'skip') announceSkip('the worker registry cluster tests', 'RUNLANE_TEST_REDIS=skip: nothing here checks the shared Redis registry');
/** Short heartbeats, so a killed worker leaves the registry within about 1.5 s rather than 15. */
const HEARTBEAT_MS = 500;

const cluster = new TestCluster({
  // The configured lease, not the helper's short one: nothing here kills a worker mid-run.
  leaseMs: 30_000,
  env: {
    RUNLANE_SCHEDULER__WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS),
    // Above the workers' slots summed, so max_concurrent shows the slots rather than this cap.
    MAX_CONCURRENT_EXECUTIONS: '8',
    RUNLANE_AUTH__ANONYMOUS: 'true',
  },
});
const startWorker = (languages: string, concurrency: number) => cluster.worker(concurrency, ['--languages', languages]);

interface WorkerBody {
  id: string;
  host: string;
  pid: number;
  languages: string[];
  slots: number;
  running: number;
  startedAt: string;
  lastHeartbeat: string;
}

interface WorkersBody {
  count: number;
  slots: number;
  languages: string[];
  workers: WorkerBody[];
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as T };
}

async function submit(url: string, language: string, source: string): Promise<{ status: number; body: { id: string; status: string; stdout?: string; error?: { code: string; message: string } } }> {
  const response = await fetch(`${url}/api/v1/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language, source }) });
  return { status: response.status, body: (await response.json()) as never };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function rowCount(language: string): Promise<number> {
  return queryTestDatabase<{ n: string }>(`select count(*) as n from "${cluster.schema}".submissions where language = $1`, [language]).then((rows) => Number(rows[0]!.n));
}

describe.skipIf(SKIP)('a cluster with per-language workers', () => {
  let apiUrl: string;
  let python: ReadyRunlane;
  let c: ReadyRunlane;
  let admin: Record<string, string>;
  const workers = () => getJson<WorkersBody>(`${apiUrl}/api/v1/workers`, admin).then(({ body }) => body);

  beforeAll(async () => {
    // The API node first: it creates the schema, so two nodes do not race to migrate it.
    apiUrl = (await cluster.api()).url!;
    [python, c] = await Promise.all([startWorker('python', 1), startWorker('c', 2)]);
    admin = (await makeUser('Admin', 'admin')).headers;
  }, 90_000);

  afterAll(() => cluster.close(), 60_000);

  describe('when staff list the workers', () => {
    it('should list each live worker with its languages, slots and heartbeat; others get 403', async () => {
      const listed = await workers();
      expect(listed).toMatchObject({ count: 2, slots: 3, languages: ['c', 'python'] });
      const byPid = new Map(listed.workers.map((worker) => [worker.pid, worker]));
      expect(byPid.get(python.child.pid!)).toMatchObject({ host: hostname(), languages: ['python'], slots: 1, running: 0 });
      expect(byPid.get(c.child.pid!)).toMatchObject({ host: hostname(), languages: ['c'], slots: 2, running: 0 });
      for (const worker of listed.workers) expect(Date.now() - Date.parse(worker.lastHeartbeat)).toBeLessThan(30_000);

      const user = await makeUser('Student', 'user');
      const refused = await getJson<{ error: { code: string } }>(`${apiUrl}/api/v1/workers`, user.headers);
      expect(refused).toMatchObject({ status: 403, body: { error: { code: 'RUNLANE_ERR_AUTH_FORBIDDEN' } } });
    }, 30_000);
  });

  describe('when the cluster figures are read on the API node', () => {
    it('should report the workers\' slots as max_concurrent and the dependencies as up', async () => {
      const health = await getJson<{ status: string; max_concurrent: number; queue_length: number; processing: number; dependencies: unknown[] }>(`${apiUrl}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'healthy', max_concurrent: 3, queue_length: 0, processing: 0 });
      expect(health.body.dependencies).toEqual([
        { name: 'postgresql', status: 'up', error: null },
        { name: 'redis', status: 'up', error: null },
      ]);
      expect(await getJson(`${apiUrl}/ready`)).toMatchObject({ status: 200, body: { status: 'ready' } });
      expect((await getJson<{ maxConcurrent: number }>(`${apiUrl}/api/v1/queue`)).body.maxConcurrent).toBe(3);
    }, 30_000);
  });

  describe('when python and C jobs are submitted', () => {
    it('should run each on the worker serving its language, counted in the cluster figures (health, stats, seed 000 stats)', async () => {
      const marker = randomUUID();
      const py = await submit(apiUrl, 'python', `import time\ntime.sleep(3)\nprint('${marker}')`);
      const cc = await submit(apiUrl, 'c', `#include <stdio.h>\n#include <unistd.h>\nint main(void) { sleep(3); printf("${marker}\\n"); return 0; }\n`);
      expect([py.status, cc.status]).toEqual([202, 202]);
      // Each worker reports the run it holds in its heartbeat; the API node reads the running total from Redis.
      const seen = { python: 0, c: 0, processing: 0, statsActive: 0, seedActive: 0 };
      await until(
        async () => {
          const [listed, health, stats, seed] = await Promise.all([
            workers(),
            getJson<{ processing: number }>(`${apiUrl}/health`),
            getJson<{ active: number }>(`${apiUrl}/api/v1/stats`),
            getJson<{ data: { activeExecutions: number } }>(`${apiUrl}/stats`),
          ]);
          seen.statsActive = Math.max(seen.statsActive, stats.body.active);
          seen.seedActive = Math.max(seen.seedActive, seed.body.data.activeExecutions);
          for (const worker of listed.workers) {
            if (worker.pid === python.child.pid) seen.python = Math.max(seen.python, worker.running);
            if (worker.pid === c.child.pid) seen.c = Math.max(seen.c, worker.running);
          }
          seen.processing = Math.max(seen.processing, health.body.processing);
          return seen;
        },
        (value) => value.python >= 1 && value.c >= 1 && value.processing >= 1 && value.statsActive >= 1 && value.seedActive >= 1,
        'both workers running their job',
        60_000,
      );
      for (const id of [py.body.id, cc.body.id]) {
        const done = await until(() => getJson<{ status: string; stdout: string }>(`${apiUrl}/api/v1/submissions/${id}`).then(({ body }) => body), (body) => body.status === 'completed', `submission ${id}`, 60_000);
        expect(done.stdout).toBe(`${marker}\n`);
      }
      expect(seen.python).toBe(1);
      expect(seen.c).toBe(1);
    }, 120_000);
  });

  describe('when a language no live worker serves is submitted', () => {
    it('should answer 503 RUNLANE_ERR_QUEUE_LANGUAGE_UNSERVED naming it, and store nothing', async () => {
      const refused = await submit(apiUrl, 'cpp', 'int main() { return 0; }');
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe('RUNLANE_ERR_QUEUE_LANGUAGE_UNSERVED');
      expect(refused.body.error?.message).toContain('"cpp"');
      expect(await rowCount('cpp')).toBe(0);
      // A language no catalogue knows is still the client's mistake.
      expect((await submit(apiUrl, 'cobol', 'DISPLAY "x".')).status).toBe(400);
    }, 30_000);
  });

  describe('when a worker is SIGKILLed', () => {
    it('should leave the registry once its heartbeat expires, and its language become unserved', async () => {
      await cluster.stop(c.child, 'SIGKILL');
      const killedAt = Date.now();
      const refused = await until(() => submit(apiUrl, 'c', 'int main(void) { return 0; }'), (answer) => answer.status !== 202, 'c refused after its worker died', 20_000);
      const goneAfterMs = Date.now() - killedAt;
      expect(refused.status).toBe(503);
      expect(refused.body.error?.code).toBe('RUNLANE_ERR_QUEUE_LANGUAGE_UNSERVED');
      // Three heartbeats and some slack for a loaded machine; the figure is printed, not asserted tightly.
      console.info(`a SIGKILLed worker left the registry ${goneAfterMs} ms after the kill (heartbeat ${HEARTBEAT_MS} ms)`);
      expect(goneAfterMs).toBeLessThan(15_000);
      const listed = await workers();
      expect(listed).toMatchObject({ count: 1, slots: 1, languages: ['python'] });
      expect((await getJson<{ max_concurrent: number }>(`${apiUrl}/health`)).body.max_concurrent).toBe(1);
    }, 60_000);
  });

  describe('when a worker stops gracefully', () => {
    it('should deregister at once, leaving no capacity', async () => {
      expect(await stopProcess(python.child)).toBe(0);
      expect(await workers()).toMatchObject({ count: 0, slots: 0, languages: [], workers: [] });
      expect((await submit(apiUrl, 'python', 'print(1)')).status).toBe(503);
      expect((await getJson<{ max_concurrent: number }>(`${apiUrl}/health`)).body.max_concurrent).toBe(0);
    }, 60_000);
  });

  describe('when a worker is asked only for languages not installed here', () => {
    it('should refuse to start, naming scheduler.workerLanguages', async () => {
      const { code, output } = await runRunlaneToExit(['worker', '--redis', TEST_REDIS_URL, '--database', cluster.database, '--languages', 'cobol,fortran'], { RUNLANE_REDIS__PREFIX: cluster.prefix });
      expect(code).not.toBe(0);
      expect(output).toContain('scheduler.workerLanguages');
      expect(output).toContain('cobol,fortran');
    }, 60_000);
  });
});
