// The shared Redis queue in one process: enqueue→start latency against the memory queue, and Redis memory per queued job at 10k queued.
import type { JobQueue } from '../../src/queue/job-queue.js';
import { MemoryJobQueue } from '../../src/queue/memory/memory-job-queue.js';
import { RedisJobQueue } from '../../src/queue/redis/redis-job-queue.js';
import { RedisQueueBackend } from '../../src/queue/redis/redis-queue-backend.js';
import { benchJob, benchLimits, TRIVIAL_RESULT } from '../lib/bench-jobs.js';
import { adminRedis, BENCH_REDIS_URL, deletePrefix, redisUsedMemory, uniquePrefix } from '../lib/cluster-services.js';
import { percentile, spread } from '../lib/stats.js';
import type { BenchContext, BenchRow } from '../lib/types.js';

export const name = 'cluster-queue';
export const description =
  'Enqueue→start latency (one job at a time, trivial handler) through the Redis queue, producer and worker as two queue instances, vs the memory queue in the same run; ' +
  'Redis used_memory per queued job at 10k queued in 50 rooms (INFO memory before/after, unique prefix, deleted afterwards); ' +
  'at those 10k, the time of one live-positions read (places of the first 500) vs the whole queue, and of a capped queue listing vs a full one.';

const QUEUED = 10_000;

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const repeats = ctx.iterations(3, 1) >= 3 ? 3 : 2;
  const jobs = ctx.iterations(400, 50);
  const memory: Latency[] = [];
  const redis: Latency[] = [];
  // Alternated, so a burst of load from elsewhere on the host hits both sides rather than one.
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    memory.push(await latencyOf(() => memoryPair(), jobs));
    redis.push(await latencyOf(() => redisPair(), jobs));
    ctx.log(`repeat ${repeat + 1}/${repeats}: p50 memory ${memory.at(-1)!.p50.toFixed(3)} ms, redis ${redis.at(-1)!.p50.toFixed(3)} ms`);
  }
  const rows: BenchRow[] = [];
  for (const key of ['p50', 'p99'] as const) {
    const onRedis = spread(redis.map((sample) => sample[key]));
    const onMemory = spread(memory.map((sample) => sample[key]));
    rows.push({
      measure: `enqueue→start ${key} (ms)`,
      'redis min': onRedis.min,
      'redis median': onRedis.median,
      'redis max': onRedis.max,
      'memory (baseline) median': onMemory.median,
      ratio: onRedis.median / Math.max(0.001, onMemory.median),
      note: `${repeats} repeats of ${jobs} jobs, one in flight`,
    });
  }
  const passes: BenchRow[] = [];
  const footprint = await redisFootprint(ctx, async (prefix) => passes.push(...(await readCosts(ctx, prefix))));
  rows.push({
    measure: `Redis memory per queued job at ${QUEUED} queued (B)`,
    'redis min': null,
    'redis median': footprint.bytesPerJob,
    'redis max': null,
    'memory (baseline) median': null,
    ratio: null,
    note: `used_memory +${(footprint.deltaBytes / 1048576).toFixed(1)} MiB; ${footprint.enqueuePerSecond.toFixed(0)} enqueues/s into Redis; ${footprint.keysDeleted} keys deleted afterwards; compare queue-memory's heap per queued submission`,
  });
  rows.push(...passes);
  return rows;
}

/** Median call time of each read of a full queue (the script's Redis time plus its reply), windowed vs whole. */
async function readCosts(ctx: BenchContext, prefix: string): Promise<BenchRow[]> {
  const backend = await RedisQueueBackend.open({ url: BENCH_REDIS_URL, prefix });
  const repeats = ctx.iterations(20, 5);
  const timed = async (read: () => Promise<unknown>): Promise<number> => {
    await read();
    const samples: number[] = [];
    for (let index = 0; index < repeats; index += 1) {
      const started = performance.now();
      await read();
      samples.push(performance.now() - started);
    }
    return percentile(samples, 50);
  };
  try {
    const window = await timed(() => backend.places(500));
    const whole = await timed(() => backend.places(1_000_000_000));
    const capped = await timed(() => backend.list(null, { limit: 500 }));
    const full = await timed(() => backend.list());
    ctx.log(`at ${QUEUED} queued: places(500) ${window.toFixed(2)} ms, places(all) ${whole.toFixed(2)} ms, list(500) ${capped.toFixed(2)} ms, list(all) ${full.toFixed(2)} ms`);
    const row = (measure: string, value: number, baseline: number, note: string): BenchRow => ({
      measure,
      'redis min': null,
      'redis median': value,
      'redis max': null,
      'memory (baseline) median': baseline,
      ratio: value / Math.max(0.001, baseline),
      note,
    });
    return [
      row(`live-positions read at ${QUEUED} queued (ms)`, window, whole, `median of ${repeats}: places of the first 500 (the default window); baseline column: places of all ${QUEUED} (an unbounded window)`),
      row(`queue listing at ${QUEUED} queued (ms)`, capped, full, `median of ${repeats}: the first 500 with payloads (what /api/v1/queue reads); baseline column: every job with its payload (the listing before the cap)`),
    ];
  } finally {
    await backend.close();
  }
}

interface Latency {
  p50: number;
  p99: number;
}

/** A producer (where jobs are enqueued) and a worker (where the handler runs); one queue for memory, two instances for Redis. */
interface QueuePair {
  producer: JobQueue;
  worker: JobQueue;
  close(): Promise<void>;
}

function memoryPair(): QueuePair {
  const queue = new MemoryJobQueue({ limits: benchLimits(QUEUED) });
  return { producer: queue, worker: queue, close: async () => void (await queue.close(0)) };
}

function redisPair(): QueuePair {
  const prefix = uniquePrefix();
  const options = { limits: benchLimits(QUEUED), redis: { url: BENCH_REDIS_URL, prefix } };
  const producer = new RedisJobQueue({ ...options, workerSlots: 0 });
  const worker = new RedisJobQueue({ ...options, workerSlots: 4 });
  return {
    producer,
    worker,
    close: async () => {
      await Promise.all([producer.close(0), worker.close(0)]);
      const admin = adminRedis();
      try {
        await deletePrefix(admin, prefix);
      } finally {
        admin.disconnect();
      }
    },
  };
}

/** Enqueues `count` jobs one after another, each once the previous one started, timing enqueue call → handler call. */
async function latencyOf(open: () => QueuePair, count: number): Promise<Latency> {
  const pair = open();
  const waiting = new Map<string, (at: number) => void>();
  pair.worker.process(async (job) => {
    waiting.get(job.id)?.(performance.now());
    return TRIVIAL_RESULT;
  });
  const samples: number[] = [];
  try {
    // A few untimed jobs first: connections, scripts loaded, JIT warm.
    for (let index = -20; index < count; index += 1) {
      const job = benchJob(index + 20, 'solo');
      const started = new Promise<number>((resolve) => waiting.set(job.id, resolve));
      const begin = performance.now();
      await pair.producer.enqueue(job);
      const at = await started;
      waiting.delete(job.id);
      if (index >= 0) samples.push(at - begin);
    }
  } finally {
    await pair.close();
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Enqueues 10k jobs into a producer-only Redis queue and reads how much `used_memory` grew; the keys are deleted whatever happens. */
async function redisFootprint(ctx: BenchContext, whileFull: (prefix: string) => Promise<unknown>): Promise<{ bytesPerJob: number; deltaBytes: number; enqueuePerSecond: number; keysDeleted: number }> {
  const prefix = uniquePrefix();
  const admin = adminRedis();
  // This producer has no listeners of its own, so it runs its positions passes as rarely as allowed.
  const queue = new RedisJobQueue({ limits: benchLimits(QUEUED + 1), workerSlots: 0, positionsCpuShare: 0.001, redis: { url: BENCH_REDIS_URL, prefix } });
  let keysDeleted = 0;
  try {
    // One job first, so the queue's fixed keys and loaded scripts are in the baseline rather than spread over the jobs.
    await queue.enqueue(benchJob(QUEUED, 'rooms'));
    const before = await redisUsedMemory(admin);
    const started = performance.now();
    for (let index = 0; index < QUEUED; index += 1) await queue.enqueue(benchJob(index, 'rooms'));
    const seconds = (performance.now() - started) / 1000;
    const after = await redisUsedMemory(admin);
    ctx.log(`${QUEUED} queued in Redis: used_memory ${before} → ${after} B`);
    await whileFull(prefix);
    // A getter: the count is read by the caller, after the clean-up below has run.
    return { bytesPerJob: (after - before) / QUEUED, deltaBytes: after - before, enqueuePerSecond: QUEUED / seconds, get keysDeleted() { return keysDeleted; } };
  } finally {
    await queue.close(0);
    keysDeleted = await deletePrefix(admin, prefix);
    admin.disconnect();
  }
}
