// Options of the scheduled job queue (policy + producer + worker over a backend), each with its default.
import type { Logger } from '../logging/logger.js';
import type { JobQueueLimits, QueueEvent } from './job-queue.js';

/** The part of a logger the queue uses. */
export type QueueLogger = Pick<Logger, 'warn' | 'error'>;

export interface ScheduledJobQueueOptions {
  /** Caps on running and queued jobs, node-wide, per room, per user and per API key. Required; every value a positive integer. */
  limits: JobQueueLimits;
  /**
   * Clock in epoch ms, for `enqueuedAt`-relative ages, run durations and Retry-After.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Where the queue reports handler failures and listener errors.
   * @defaultValue none: listener errors go to `process.emitWarning` and handler failures only to the `failed` event
   */
  logger?: QueueLogger;
  /**
   * Called when a listener throws or its returned promise rejects; the event still reaches the other listeners.
   * @defaultValue logs at `error` level through `logger`, or `process.emitWarning` without one
   */
  onListenerError?: (error: unknown, event: QueueEvent) => void;
  /**
   * Run duration assumed for Retry-After estimates before any run has finished, ms.
   * @defaultValue 5000
   */
  assumedRunDurationMs?: number;
  /**
   * Finished runs whose durations are kept per room (and node-wide) for Retry-After estimates.
   * @defaultValue 20
   */
  durationSamples?: number;
  /**
   * Rooms whose recent durations are kept; the least recently active is forgotten beyond this.
   * @defaultValue 1000
   */
  durationRooms?: number;
  /**
   * Upper bound of any Retry-After the queue suggests, seconds.
   * @defaultValue 300
   */
  maxRetryAfterSeconds?: number;
  /**
   * Share of wall time the live-position pass may use, including the time spent waiting for the backend's read (a
   * Redis script). Passes run once per tick while cheap and are spaced out when they cost more, so neither a node's
   * core nor a shared Redis is kept busy re-announcing positions. 1 means once per tick whatever the cost.
   * @defaultValue 0.05
   */
  positionsCpuShare?: number;
  /**
   * The live window: the first this many queued jobs in claim order get position updates as they move, and queue
   * snapshots list this many queued jobs (counting the rest). A pass reads only the window, so its cost does not grow
   * with the queue. Jobs behind it are placed exactly on request and get updates once they enter it.
   * @defaultValue 500
   */
  livePositions?: number;
  /**
   * Jobs this node runs at once. 0 makes a producer-only queue: it admits, cancels and lists jobs but never runs one
   * (an API node whose jobs run on worker nodes).
   * @defaultValue `limits.maxConcurrent`
   */
  workerSlots?: number;
  /**
   * How long a claimed job stays this worker's without a heartbeat, ms. The worker renews it every third of that
   * while the run is alive; if the process dies, the job goes back to the queue when it expires.
   * @defaultValue 30000
   */
  leaseMs?: number;
  /**
   * Language ids this node's worker runs; null for any. The worker claims only jobs in these languages.
   * @defaultValue null
   */
  languages?: readonly string[] | null;
  /**
   * How often the worker also tries to claim without being told of new work, ms; 0 turns the poll off. Claims follow
   * the backend's events; the poll makes sure a lost event (a dropped pub/sub message) delays a job, never strands it.
   * @defaultValue 2000
   */
  claimPollMs?: number;
}

/** Options with every default applied, frozen. */
export type ResolvedScheduledJobQueueOptions = Readonly<Required<Omit<ScheduledJobQueueOptions, 'logger'>>> & {
  readonly logger: QueueLogger | null;
};

function requirePositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`JobQueue: ${name} must be a positive integer, got ${value}`);
  return value;
}

function requireNonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`JobQueue: ${name} must be a non-negative integer, got ${value}`);
  return value;
}

function requireShare(name: string, value: number): number {
  if (!(value > 0 && value <= 1)) throw new RangeError(`JobQueue: ${name} must be in (0, 1], got ${value}`);
  return value;
}

function warnListenerError(logger: QueueLogger | null): (error: unknown, event: QueueEvent) => void {
  return (error, event) => {
    if (logger !== null) {
      logger.error({ err: error, event: event.type }, 'queue event listener failed');
      return;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.emitWarning(`queue event listener failed on "${event.type}": ${detail}`, { code: 'RUNLANE_QUEUE_LISTENER' });
  };
}

/** Applies defaults and checks values; throws RangeError naming the bad field. */
export function resolveScheduledJobQueueOptions(options: ScheduledJobQueueOptions): ResolvedScheduledJobQueueOptions {
  const { limits } = options;
  const logger = options.logger ?? null;
  return Object.freeze({
    limits: Object.freeze({
      maxConcurrent: requirePositiveInteger('limits.maxConcurrent', limits.maxConcurrent),
      maxQueued: requirePositiveInteger('limits.maxQueued', limits.maxQueued),
      roomMaxRunning: requirePositiveInteger('limits.roomMaxRunning', limits.roomMaxRunning),
      roomMaxQueued: requirePositiveInteger('limits.roomMaxQueued', limits.roomMaxQueued),
      userMaxQueued: requirePositiveInteger('limits.userMaxQueued', limits.userMaxQueued),
      userMaxRunning: requirePositiveInteger('limits.userMaxRunning', limits.userMaxRunning),
      keyMaxQueued: requirePositiveInteger('limits.keyMaxQueued', limits.keyMaxQueued),
    }),
    now: options.now ?? Date.now,
    logger,
    onListenerError: options.onListenerError ?? warnListenerError(logger),
    assumedRunDurationMs: requirePositiveInteger('assumedRunDurationMs', options.assumedRunDurationMs ?? 5000),
    durationSamples: requirePositiveInteger('durationSamples', options.durationSamples ?? 20),
    durationRooms: requirePositiveInteger('durationRooms', options.durationRooms ?? 1000),
    maxRetryAfterSeconds: requirePositiveInteger('maxRetryAfterSeconds', options.maxRetryAfterSeconds ?? 300),
    positionsCpuShare: requireShare('positionsCpuShare', options.positionsCpuShare ?? 0.05),
    livePositions: requirePositiveInteger('livePositions', options.livePositions ?? 500),
    workerSlots: requireNonNegativeInteger('workerSlots', options.workerSlots ?? limits.maxConcurrent),
    leaseMs: requirePositiveInteger('leaseMs', options.leaseMs ?? 30_000),
    languages: options.languages ? Object.freeze([...options.languages]) : null,
    claimPollMs: requireNonNegativeInteger('claimPollMs', options.claimPollMs ?? 2_000),
  });
}
