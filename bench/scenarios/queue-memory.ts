// Benchmark of the in-memory scheduler at 10k queued: heap per queued submission, enqueue/dispatch rates, per-operation cost.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ExecutionResult } from '../../src/domain/result.js';
import type { QueuedJob, QueueEvent } from '../../src/queue/job-queue.js';
import { MemoryJobQueue } from '../../src/queue/memory/memory-job-queue.js';
import { executionRequest } from '../../src/domain/submission.js';

/** What the bench runner hands a scenario; only logging is used here. */
export interface QueueBenchContext {
  log?: (line: string) => void;
}

export interface QueueMemoryFigures {
  queued: number;
  /** How the heap was measured: a forced full GC (exact) or without one (noisy). */
  gc: 'global.gc' | 'v8 flag' | 'none (best effort)';
  /** Heap held by one queued submission: the job (request with a one-line program) plus the scheduler's bookkeeping. */
  bytesPerQueuedSubmission: number;
  /** The scheduler's own share of it (records, lanes, maps). */
  schedulerBytesPerQueued: number;
  enqueuePerSecond: number;
  /** Time of the one coalesced positions pass after a burst of enqueues, ms. */
  positionsPassMs: number;
  /** Jobs whose position changed when the head job was cancelled, and how long that pass took. */
  cancelHeadChanges: number;
  cancelHeadPassMs: number;
  getMicros: number;
  snapshotMs: number;
  /** Dispatching the first 1000 of 10k queued, maxConcurrent 4, with runs of about 1 ms. */
  drain: {
    /** Positions pass every tick (positionsCpuShare 1). */
    everyTick: DrainFigures;
    /** The default spacing (positionsCpuShare 0.05). */
    spaced: DrainFigures;
  };
}

export interface DrainFigures {
  dispatchPerSecond: number;
  /** CPU time (user + system) the process used during the drain, ms. */
  cpuMs: number;
  positionsEvents: number;
  positionChanges: number;
}

const QUEUED = 10_000;

/** A full GC function: `global.gc` under `--expose-gc`, else one obtained through the V8 flag, else none. */
function findGc(): { gc: (() => void) | null; kind: QueueMemoryFigures['gc'] } {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return { gc: exposed, kind: 'global.gc' };
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return { gc: gc as () => void, kind: 'v8 flag' };
  } catch {
    // Some embeddings forbid changing V8 flags at run time; the heap figures are then only indicative.
    return { gc: null, kind: 'none (best effort)' };
  }
  return { gc: null, kind: 'none (best effort)' };
}

function heapUsed(gc: (() => void) | null): number {
  if (gc !== null) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** 10k jobs: 80 % in 1000 rooms of 8, 20 % without a room from 2000 users; a third of them graded (priority 2). */
function buildJobs(count: number): QueuedJob[] {
  const jobs: QueuedJob[] = [];
  for (let index = 0; index < count; index += 1) {
    const roomless = index % 5 === 0;
    const userId = roomless ? `solo-${index % 2000}` : `user-${index}`;
    jobs.push({
      id: randomUUID(),
      correlationId: randomUUID(),
      roomId: roomless ? null : `room-${index % 1000}`,
      user: { userId, displayName: `User ${userId}`, avatar: null, role: 'user' },
      priority: index % 3 === 0 ? 2 : 1,
      language: 'python3',
      request: executionRequest('python3', [{ name: 'main.py', content: `print(${index})` }]),
      enqueuedAt: Date.now(),
    });
  }
  return jobs;
}

// Per-user and per-key caps as high as the node's, so every one of the QUEUED jobs is admitted and measured.
const limits = { maxConcurrent: 4, maxQueued: QUEUED, roomMaxRunning: 3, roomMaxQueued: 10, userMaxQueued: QUEUED, userMaxRunning: 4, keyMaxQueued: QUEUED };

async function measure(): Promise<QueueMemoryFigures> {
  const { gc, kind } = findGc();
  const empty = heapUsed(gc);
  let jobs: QueuedJob[] | null = buildJobs(QUEUED);
  const withJobs = heapUsed(gc);
  // Passes every tick here, so one tick after an operation its pass has run and can be timed on its own.
  const queue = new MemoryJobQueue({ limits, positionsCpuShare: 1 });
  const events: QueueEvent[] = [];
  queue.subscribe((event) => {
    if (event.type === 'positions') events.push(event);
  });

  let started = performance.now();
  for (const job of jobs) await queue.enqueue(job);
  const enqueueMs = performance.now() - started;
  started = performance.now();
  await tick();
  const positionsPassMs = performance.now() - started;
  const ids = jobs.map((job) => job.id);
  const head = jobs[0]!;
  // Only the queue holds the jobs now, so the heap delta is what 10k queued submissions cost.
  jobs = null;
  const withQueue = heapUsed(gc);

  events.length = 0;
  started = performance.now();
  await queue.cancel(head.id, head.user.userId);
  await tick();
  const cancelHeadPassMs = performance.now() - started;
  const cancelHeadChanges = events.reduce((sum, event) => sum + (event.type === 'positions' ? event.changes.length : 0), 0);

  started = performance.now();
  for (let index = 1; index <= 1000; index += 1) await queue.get(ids[(index * 7919) % ids.length]!);
  const getMicros = ((performance.now() - started) * 1000) / 1000;

  started = performance.now();
  await queue.snapshot();
  const snapshotMs = performance.now() - started;

  await queue.close(0);

  return {
    queued: QUEUED,
    gc: kind,
    bytesPerQueuedSubmission: Math.round((withQueue - empty) / QUEUED),
    schedulerBytesPerQueued: Math.round((withQueue - withJobs) / QUEUED),
    enqueuePerSecond: Math.round(QUEUED / (enqueueMs / 1000)),
    positionsPassMs: round(positionsPassMs),
    cancelHeadChanges,
    cancelHeadPassMs: round(cancelHeadPassMs),
    getMicros: round(getMicros),
    snapshotMs: round(snapshotMs),
    drain: { everyTick: await drain(1), spaced: await drain(0.05) },
  };
}

const DRAINED = 1000;

/** Dispatches the first 1000 of 10k queued jobs (runs of ~1 ms) and counts the position traffic it causes. */
async function drain(positionsCpuShare: number): Promise<DrainFigures> {
  const queue = new MemoryJobQueue({ limits, positionsCpuShare });
  for (const job of buildJobs(QUEUED)) await queue.enqueue(job);
  await tick();
  let positionsEvents = 0;
  let positionChanges = 0;
  let finished = 0;
  const drained = new Promise<void>((resolve) => {
    queue.subscribe((event) => {
      if (event.type === 'positions') {
        positionsEvents += 1;
        positionChanges += event.changes.length;
      }
      if (event.type === 'completed' && ++finished === DRAINED) resolve();
    });
  });
  const result = { verdict: 'accepted' } as ExecutionResult;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  queue.process(() => new Promise((resolve) => setTimeout(() => resolve(result), 1)));
  await drained;
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = performance.now() - started;
  await queue.close(0);
  return { dispatchPerSecond: Math.round(DRAINED / (elapsedMs / 1000)), cpuMs: Math.round((cpu.user + cpu.system) / 1000), positionsEvents, positionChanges };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The scenario as the bench runner discovers it. */
export const scenario = {
  name: 'queue-memory',
  description: 'In-memory scheduler at 10k queued: heap per queued submission, enqueue and dispatch rates, position pass cost',
  async run(context: QueueBenchContext = {}): Promise<QueueMemoryFigures> {
    const figures = await measure();
    context.log?.(
      `queue-memory: ${figures.bytesPerQueuedSubmission} B per queued submission (${figures.schedulerBytesPerQueued} B scheduler), ` +
        `${figures.enqueuePerSecond} enqueues/s, ${figures.drain.spaced.dispatchPerSecond} dispatches/s at 10k queued, gc: ${figures.gc}`,
    );
    return figures;
  },
};

export default scenario;

// Runnable on its own: node --expose-gc --import tsx bench/scenarios/queue-memory.ts
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await scenario.run(), null, 2));
}

/** Runner shape (`name`, `run(ctx)` → rows): the figures above, one row per measurement, with its same-run baseline where one exists. */
export const name = scenario.name;
export const description = scenario.description;

export async function run(context: QueueBenchContext = {}): Promise<Array<Record<string, string | number | null>>> {
  const figures = await scenario.run(context);
  const { everyTick, spaced } = figures.drain;
  return [
    { measure: 'heap per queued submission (B)', value: figures.bytesPerQueuedSubmission, baseline: null, note: `${figures.schedulerBytesPerQueued} B of it is the scheduler's; gc: ${figures.gc}` },
    { measure: 'enqueue rate (/s)', value: figures.enqueuePerSecond, baseline: null, note: `${figures.queued} queued` },
    { measure: 'get() (µs)', value: figures.getMicros, baseline: null, note: '' },
    { measure: 'snapshot() (ms)', value: figures.snapshotMs, baseline: null, note: '' },
    { measure: 'positions pass after burst (ms)', value: figures.positionsPassMs, baseline: null, note: `cancel at head: ${figures.cancelHeadChanges} changes in ${figures.cancelHeadPassMs} ms` },
    { measure: 'drain CPU, default spacing (ms)', value: spaced.cpuMs, baseline: everyTick.cpuMs, note: `ratio ${(spaced.cpuMs / Math.max(1, everyTick.cpuMs)).toFixed(2)} vs a pass every tick; ${spaced.positionChanges} vs ${everyTick.positionChanges} position changes` },
    { measure: 'dispatch rate at 10k queued (/s)', value: spaced.dispatchPerSecond, baseline: everyTick.dispatchPerSecond, note: 'baseline: a positions pass every tick' },
  ];
}
