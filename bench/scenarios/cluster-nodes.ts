// Real cluster processes on Redis + PostgreSQL: executions/s with 1 worker node vs 2, and submit→202 latency with 10k jobs queued in Redis.
import { chmod } from 'node:fs/promises';
import { RedisJobQueue } from '../../src/queue/redis/redis-job-queue.js';
import { benchJob, benchLimits } from '../lib/bench-jobs.js';
import { closedLoop, type ClosedLoopResult } from '../lib/closed-loop.js';
import { adminRedis, BENCH_REDIS_URL, deletePrefix, dropSchemas, uniquePrefix, uniqueSchema } from '../lib/cluster-services.js';
import { isolatedSandboxEnv, SERVING, startRunlane, stopRunlane, WORKING, type RunlaneChild } from '../lib/runlane-process.js';
import type { BenchContext, BenchRow } from '../lib/types.js';

export const name = 'cluster-nodes';
export const description =
  'Separate processes (API node + worker nodes) on this host\'s Redis and PostgreSQL: print(1) executions/s end to end (POST ?wait=true) with 1 worker node of 2 slots vs 2 worker nodes of 1 slot ' +
  '(same slots and cores: the ratio is coordination overhead); submit→202 latency (real HTTP) with 10k jobs queued in Redis vs an empty queue.';

const PROGRAM = 'print(1)\n';
const QUEUED = 10_000;

/** One cluster: its queue prefix, its schema, its processes; everything is removed by `teardown`. */
class BenchCluster {
  readonly prefix = uniquePrefix();
  private readonly store = uniqueSchema();
  private readonly nodes = new Set<RunlaneChild>();

  constructor(private readonly ctx: BenchContext) {}

  private env(label: string): NodeJS.ProcessEnv {
    return {
      ...isolatedSandboxEnv(this.ctx.tmpDir, `${label}-${this.nodes.size}`),
      REDIS_URL: BENCH_REDIS_URL,
      DATABASE_URL: this.store.url,
      RUNLANE_REDIS__PREFIX: this.prefix,
      MAX_CONCURRENT_EXECUTIONS: '2',
      // One anonymous client stands for every user here: no rate limit, no per-user caps in the way.
      RATE_LIMIT_MAX_REQUESTS: '100000000',
      RUNLANE_SCHEDULER__MAX_QUEUED: '100000',
      RUNLANE_SCHEDULER__USER_MAX_QUEUED: '100000',
      RUNLANE_SCHEDULER__KEY_MAX_QUEUED: '100000',
      RUNLANE_SHUTDOWN__GRACE_MS: '2000',
    };
  }

  async api(): Promise<RunlaneChild> {
    const node = await startRunlane(['serve', '--port', '0', '--workers', '0'], this.env('api'), SERVING);
    this.nodes.add(node);
    return node;
  }

  async worker(slots: number): Promise<RunlaneChild> {
    const node = await startRunlane(['worker', '--concurrency', String(slots)], this.env('worker'), WORKING);
    this.nodes.add(node);
    return node;
  }

  async stop(node: RunlaneChild): Promise<void> {
    await stopRunlane(node);
    this.nodes.delete(node);
  }

  async teardown(): Promise<void> {
    await Promise.all([...this.nodes].map((node) => stopRunlane(node)));
    this.nodes.clear();
    const admin = adminRedis();
    try {
      this.ctx.log(`deleted ${await deletePrefix(admin, this.prefix)} keys under runlane:${this.prefix}:`);
    } finally {
      admin.disconnect();
    }
    await dropSchemas([this.store.schema]);
  }
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  // The pool uids must be able to reach the run roots inside the private temporary directory.
  await chmod(ctx.tmpDir, 0o711);
  return [...(await workerScaling(ctx)), ...(await submitUnderBacklog(ctx))];
}

/** print(1) end to end through ?wait=true, checking each output. */
function executions(url: string, concurrency: number, total: number): Promise<ClosedLoopResult> {
  return closedLoop(concurrency, total, async () => {
    const response = await fetch(`${url}/api/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', source: PROGRAM }),
    });
    const body = (await response.json()) as { stdout?: string };
    if (response.status !== 200 || body.stdout !== '1\n') throw new Error(`unexpected answer ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  });
}

async function workerScaling(ctx: BenchContext): Promise<BenchRow[]> {
  const cluster = new BenchCluster(ctx);
  const total = ctx.iterations(120, 24);
  const concurrency = 8;
  try {
    const api = await cluster.api();
    const url = api.url!;
    const one = await cluster.worker(2);
    await executions(url, 2, 4);
    const single = await executions(url, concurrency, total);
    ctx.log(`1 worker × 2 slots: ${single.perSecond.toFixed(1)} exec/s`);
    await cluster.stop(one);
    await Promise.all([cluster.worker(1), cluster.worker(1)]);
    await executions(url, 2, 4);
    const pair = await executions(url, concurrency, total);
    ctx.log(`2 workers × 1 slot: ${pair.perSecond.toFixed(1)} exec/s`);
    return [
      {
        measure: 'exec/s end to end, 2 worker nodes × 1 slot',
        value: pair.perSecond,
        'p50 ms': pair.p50,
        'p99 ms': pair.p99,
        baseline: single.perSecond,
        'baseline p50 ms': single.p50,
        'baseline p99 ms': single.p99,
        ratio: pair.perSecond / single.perSecond,
        note: `baseline: 1 worker node × 2 slots; ${total} executions, ${concurrency} in flight, API node with --workers 0`,
      },
    ];
  } finally {
    await cluster.teardown();
  }
}

/** POST without waiting: the time to admission (202). */
function submits(url: string, total: number): Promise<ClosedLoopResult> {
  return closedLoop(8, total, async () => {
    const response = await fetch(`${url}/api/v1/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', source: PROGRAM }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`submit answered ${response.status}, not 202`);
  });
}

async function submitUnderBacklog(ctx: BenchContext): Promise<BenchRow[]> {
  const cluster = new BenchCluster(ctx);
  const total = ctx.iterations(400, 80);
  try {
    // No worker: everything submitted stays queued.
    const api = await cluster.api();
    const url = api.url!;
    await submits(url, 20);
    const empty = await submits(url, total);
    ctx.log(`submit→202 on an empty queue: p50 ${empty.p50.toFixed(1)} ms, p99 ${empty.p99.toFixed(1)} ms`);
    const fillStarted = performance.now();
    await fill(cluster.prefix);
    ctx.log(`${QUEUED} jobs queued in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);
    const backlog = await submits(url, total);
    ctx.log(`submit→202 with ${QUEUED} queued: p50 ${backlog.p50.toFixed(1)} ms, p99 ${backlog.p99.toFixed(1)} ms`);
    return [
      {
        measure: `submit→202 with ${QUEUED} queued in Redis`,
        value: backlog.p99,
        'p50 ms': backlog.p50,
        'p99 ms': backlog.p99,
        baseline: empty.p99,
        'baseline p50 ms': empty.p50,
        'baseline p99 ms': empty.p99,
        ratio: backlog.p99 / Math.max(0.01, empty.p99),
        note: `value and baseline are p99; baseline: the same ${total} submits (8 in flight) on the empty queue before`,
      },
    ];
  } finally {
    await cluster.teardown();
  }
}

/** Puts 10k jobs (50 rooms) on the cluster's queue from here, as another API node would. */
async function fill(prefix: string): Promise<void> {
  // This producer has no listeners of its own, so it spaces its positions passes as far as allowed.
  const queue = new RedisJobQueue({ limits: benchLimits(100_000), workerSlots: 0, positionsCpuShare: 0.001, redis: { url: BENCH_REDIS_URL, prefix } });
  try {
    for (let index = 0; index < QUEUED; index += 1) await queue.enqueue(benchJob(index, 'rooms'));
  } finally {
    await queue.close(0);
  }
}
