// Real cluster processes on Redis + PostgreSQL: executions/s with 1 worker node vs 2, and submit→202 latency with 10k jobs queued in Redis.
import { chmod } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { RedisJobQueue } from '../../src/queue/redis/redis-job-queue.js';
import { RedisWorkerRegistry } from '../../src/queue/redis/redis-worker-registry.js';
import { benchJob, benchLimits, TRIVIAL_RESULT } from '../lib/bench-jobs.js';
import { closedLoop, type ClosedLoopResult } from '../lib/closed-loop.js';
import { adminRedis, BENCH_REDIS_URL, deletePrefix, dropSchemas, uniquePrefix, uniqueSchema } from '../lib/cluster-services.js';
import { isolatedSandboxEnv, SERVING, startRunlane, stopRunlane, WORKING, type RunlaneChild } from '../lib/runlane-process.js';
import { spread } from '../lib/stats.js';
import type { BenchContext, BenchRow } from '../lib/types.js';

export const name = 'cluster-nodes';
export const description =
  'Separate processes (API node + worker nodes) on this host\'s Redis and PostgreSQL: print(1) executions/s end to end (POST ?wait=true) with 1 worker node of 2 slots vs 2 worker nodes of 1 slot ' +
  '(same slots and cores: the ratio is coordination overhead); submit→202 latency (real HTTP) with 10k jobs queued in Redis vs an empty queue, ' +
  'with the default live-positions window and with an unbounded one (every pass walks the whole queue), one cluster each.';

const PROGRAM = 'print(1)\n';
const QUEUED = 10_000;

/** One cluster: its queue prefix, its schema, its processes; everything is removed by `teardown`. */
class BenchCluster {
  readonly prefix = uniquePrefix();
  private readonly store = uniqueSchema();
  private readonly nodes = new Set<RunlaneChild>();
  private registry: RedisWorkerRegistry | undefined;

  constructor(
    private readonly ctx: BenchContext,
    private readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {}

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
      ...this.extraEnv,
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

  /** Registers a worker entry serving python that never claims (no process behind it); removed at teardown. */
  async announceIdlePythonWorker(): Promise<void> {
    this.registry ??= new RedisWorkerRegistry({ url: BENCH_REDIS_URL, prefix: this.prefix });
    const id = `bench-idle-${randomUUID()}`;
    await this.registry.heartbeat({ id, host: 'bench', pid: process.pid, languages: ['python'], slots: 1, running: 0, startedAt: Date.now() }, 30 * 60_000);
  }

  async teardown(): Promise<void> {
    await Promise.all([...this.nodes].map((node) => stopRunlane(node)));
    this.nodes.clear();
    await this.registry?.close();
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
  // BENCH_CLUSTER_NODES=backlog measures only the backlog rows (the worker rounds take minutes).
  const rows = process.env.BENCH_CLUSTER_NODES === 'backlog' ? [] : await workerScaling(ctx);
  // Unbounded first (every pass walks the whole queue), then the default. BENCH_LIVE_WINDOWS=default measures only the
  // default, for a build that has no such setting.
  const windows = process.env.BENCH_LIVE_WINDOWS === 'default' ? [null] : [UNBOUNDED_WINDOW, null];
  for (const window of windows) rows.push(...(await submitUnderBacklog(ctx, window)));
  return rows;
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

/**
 * Two clusters up at once, one with 1 worker node × 2 slots and one with 2 worker nodes × 1 slot, measured in alternating
 * rounds so that load from elsewhere on the host falls on both; min/median/max over the rounds.
 */
async function workerScaling(ctx: BenchContext): Promise<BenchRow[]> {
  const single = new BenchCluster(ctx);
  const pair = new BenchCluster(ctx);
  const total = ctx.iterations(60, 16);
  const rounds = ctx.iterations(3, 1) >= 3 ? 3 : 2;
  const concurrency = 8;
  try {
    const singleUrl = (await single.api()).url!;
    await single.worker(2);
    const pairUrl = (await pair.api()).url!;
    await Promise.all([pair.worker(1), pair.worker(1)]);
    await Promise.all([executions(singleUrl, 2, 4), executions(pairUrl, 2, 4)]);
    const onSingle: ClosedLoopResult[] = [];
    const onPair: ClosedLoopResult[] = [];
    for (let round = 0; round < rounds; round += 1) {
      onSingle.push(await executions(singleUrl, concurrency, total));
      onPair.push(await executions(pairUrl, concurrency, total));
      ctx.log(`round ${round + 1}/${rounds}: 1 worker × 2 slots ${onSingle.at(-1)!.perSecond.toFixed(1)} exec/s, 2 workers × 1 slot ${onPair.at(-1)!.perSecond.toFixed(1)} exec/s`);
    }
    const pairRate = spread(onPair.map((result) => result.perSecond));
    const singleRate = spread(onSingle.map((result) => result.perSecond));
    return [
      {
        measure: 'exec/s end to end, 2 worker nodes × 1 slot',
        min: pairRate.min,
        median: pairRate.median,
        max: pairRate.max,
        'p99 ms (median round)': spread(onPair.map((result) => result.p99)).median,
        'baseline min': singleRate.min,
        'baseline median': singleRate.median,
        'baseline max': singleRate.max,
        'baseline p99 ms': spread(onSingle.map((result) => result.p99)).median,
        ratio: pairRate.median / singleRate.median,
        note: `baseline: 1 worker node × 2 slots; ${rounds} alternating rounds of ${total} executions, ${concurrency} in flight; API nodes with --workers 0`,
      },
    ];
  } finally {
    await Promise.all([single.teardown(), pair.teardown()]);
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

/** A live-positions window larger than any queue here: every pass walks the whole queue. */
const UNBOUNDED_WINDOW = 1_000_000_000;

/** submit→202 before and after a 10k backlog, on an API node with the given live-positions window (null: the default). */
async function submitUnderBacklog(ctx: BenchContext, window: number | null): Promise<BenchRow[]> {
  const cluster = new BenchCluster(ctx, window === null ? {} : { RUNLANE_SCHEDULER__LIVE_POSITIONS: String(window) });
  const label = window === null ? 'default live-positions window (500)' : 'unbounded live-positions window';
  const total = ctx.iterations(400, 80);
  // 10k at scale 1; a quick pass fills 2k.
  const queued = ctx.iterations(QUEUED, 2_000);
  try {
    // No worker runs: everything submitted stays queued. A stand-in entry in the worker registry serves python, since
    // the shared queue refuses a language no live worker serves.
    await cluster.announceIdlePythonWorker();
    const api = await cluster.api();
    const url = api.url!;
    await submits(url, 20);
    const empty = await submits(url, total);
    ctx.log(`submit→202 on an empty queue: p50 ${empty.p50.toFixed(1)} ms, p99 ${empty.p99.toFixed(1)} ms`);
    const fillStarted = performance.now();
    await fill(cluster.prefix, queued);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    ctx.log(`${label}: ${queued} jobs queued in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);
    // A backlog builds up over time in practice: measure once the API node has taken in the fill's events, not during.
    ctx.log(`the API node reports ${await settled(url, queued)} queued; measuring`);
    const settledBacklog = await submits(url, total);
    ctx.log(`${label}: submit→202 with ${queued} queued, nothing starting: p50 ${settledBacklog.p50.toFixed(1)} ms, p99 ${settledBacklog.p99.toFixed(1)} ms`);
    // Work starting at the head moves every queued job: each claim asks every API node for a positions pass.
    const drain = drainer(cluster.prefix);
    const backlog = await submits(url, total);
    const claimed = await drain.stop();
    ctx.log(`${label}: submit→202 with ${queued} queued while ${claimed.perSecond.toFixed(0)} jobs/s start: p50 ${backlog.p50.toFixed(1)} ms, p99 ${backlog.p99.toFixed(1)} ms`);
    return [
      {
        measure: `submit→202 p99 (ms) with ${queued} queued in Redis, ${label}`,
        min: null,
        median: backlog.p99,
        max: null,
        'p99 ms (median round)': backlog.p99,
        'baseline min': null,
        'baseline median': empty.p99,
        'baseline max': null,
        'baseline p99 ms': empty.p99,
        ratio: backlog.p99 / Math.max(0.01, empty.p99),
        note: `one round while ${claimed.perSecond.toFixed(0)} jobs/s started at the head (${claimed.count} in all); p50 ${backlog.p50.toFixed(0)} ms (empty: ${empty.p50.toFixed(0)} ms); fill ${fillSeconds.toFixed(1)} s; baseline: the same ${total} submits (8 in flight) on the empty queue just before the fill`,
      },
      {
        measure: `submit→202 p99 (ms) with ${queued} queued in Redis, nothing starting, ${label}`,
        min: null,
        median: settledBacklog.p99,
        max: null,
        'p99 ms (median round)': settledBacklog.p99,
        'baseline min': null,
        'baseline median': empty.p99,
        'baseline max': null,
        'baseline p99 ms': empty.p99,
        ratio: settledBacklog.p99 / Math.max(0.01, empty.p99),
        note: `one round, no job starting (submits land at the tail: no pass needed); p50 ${settledBacklog.p50.toFixed(0)} ms`,
      },
    ];
  } finally {
    await cluster.teardown();
  }
}

/** Puts `count` jobs (50 rooms) on the cluster's queue from here, as another API node would. */
async function fill(prefix: string, count: number): Promise<void> {
  // This producer has no listeners of its own, so it spaces its positions passes as far as allowed.
  const queue = new RedisJobQueue({ limits: benchLimits(100_000), workerSlots: 0, positionsCpuShare: 0.001, redis: { url: BENCH_REDIS_URL, prefix } });
  try {
    for (let index = 0; index < count; index += 1) await queue.enqueue(benchJob(index, 'rooms'));
  } finally {
    await queue.close(0);
  }
}

/**
 * Claims jobs from the head of the queue with a trivial handler (a stand-in for busy workers), so that every API node
 * sees a stream of starts; `stop` reports how many started and how fast.
 */
function drainer(prefix: string): { stop(): Promise<{ count: number; perSecond: number }> } {
  const queue = new RedisJobQueue({ limits: benchLimits(100_000, 2), workerSlots: 2, claimPollMs: 0, redis: { url: BENCH_REDIS_URL, prefix } });
  let count = 0;
  const started = performance.now();
  queue.process(async () => {
    count += 1;
    await new Promise((resolve) => setTimeout(resolve, 5));
    return TRIVIAL_RESULT;
  });
  return {
    async stop() {
      const seconds = (performance.now() - started) / 1000;
      await queue.close(0);
      return { count, perSecond: count / seconds };
    },
  };
}

/** Waits until the API node's /health counts at least `count` queued, then a few quiet seconds; returns its count. */
async function settled(url: string, count: number): Promise<number> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const health = (await (await fetch(`${url}/health`)).json()) as { queue_length?: number };
    const length = health.queue_length ?? 0;
    if (length >= count) {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return length;
    }
    if (Date.now() > deadline) throw new Error(`the API node reports ${length} queued, not ${count}, after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
