// Live positions: which queued jobs moved since they were last announced, collected at most once per tick.
import { performance } from 'node:perf_hooks';
import type { BackendPlace, PlacedJob } from './backend.js';
import type { PositionChange } from './job-queue.js';

export type { PlacedJob } from './backend.js';

/** The places last announced per queued job, so each pass reports only the jobs that moved. */
export class PositionBook {
  readonly #reported = new Map<string, BackendPlace>();

  /** Number of jobs with an announced place. */
  get size(): number {
    return this.#reported.size;
  }

  /** Records a place announced elsewhere (the `queued` event), so the next pass does not repeat it. */
  note(jobId: string, place: BackendPlace): void {
    this.#reported.set(jobId, { position: place.position, roomPosition: place.roomPosition });
  }

  /** Forgets a job that left the queue (started, cancelled). */
  forget(jobId: string): void {
    this.#reported.delete(jobId);
  }

  /**
   * Compares a listing of the head of the queue (in order) with what was announced: returns the jobs whose place
   * differs (or was never announced), records them, and forgets jobs no longer listed (they left the queue or fell
   * behind the listed window; they are announced again once listed). O(listed + announced).
   */
  diff(queued: readonly PlacedJob[]): PositionChange[] {
    const changes: PositionChange[] = [];
    const listed = new Set<string>();
    for (const { job, place } of queued) {
      listed.add(job.id);
      const reported = this.#reported.get(job.id);
      if (reported !== undefined && reported.position === place.position && reported.roomPosition === place.roomPosition) continue;
      this.note(job.id, place);
      changes.push({ jobId: job.id, roomId: job.roomId, userId: job.userId, position: place.position, roomPosition: place.roomPosition });
    }
    if (listed.size !== this.#reported.size) for (const jobId of this.#reported.keys()) if (!listed.has(jobId)) this.#reported.delete(jobId);
    return changes;
  }

  clear(): void {
    this.#reported.clear();
  }
}

/**
 * Runs a callback once per turn of the event loop however often it was requested, so a burst of enqueues, cancels
 * and dispatches costs one pass over the queue. setImmediate rather than a microtask: a loop of awaited enqueues
 * resolves in microtasks and would otherwise trigger one pass per enqueue.
 *
 * A callback may return a promise (a read of a remote queue): the pass lasts until it settles, no second pass starts
 * meanwhile (a request made during it runs one more pass after it), and its whole awaited time counts as its cost.
 * Passes are spaced out to keep them within `cpuShare` of the time: after a pass that took d ms the next waits at
 * least d × (1 / cpuShare − 1) ms. So a pass that holds Redis for 5 ms is followed by 95 ms without one at a share
 * of 0.05, however many changes arrive, and a busy Redis (slower replies) spaces passes further by itself. Short
 * passes (well under a millisecond) still run once per tick.
 */
export class CoalescedTask {
  #pending: { cancel(): void } | null = null;
  #notBefore = 0;
  #running = false;
  /** Requested while a pass was running: run one more when it ends. */
  #again = false;
  readonly #gapFactor: number;

  /** @param cpuShare fraction of wall time the task may take, in (0, 1]; 1 means once per tick, no spacing. */
  constructor(
    private readonly task: () => void | PromiseLike<unknown>,
    cpuShare = 1,
  ) {
    if (!(cpuShare > 0 && cpuShare <= 1)) throw new RangeError(`cpuShare must be in (0, 1], got ${cpuShare}`);
    this.#gapFactor = 1 / cpuShare - 1;
  }

  /** Schedules the task for the next turn (or the end of its spacing gap) unless it is already scheduled or running. */
  request(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#pending !== null) return;
    const wait = this.#notBefore - performance.now();
    if (wait <= 0) {
      const immediate = setImmediate(() => this.#run());
      this.#pending = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(() => this.#run(), Math.ceil(wait));
      this.#pending = { cancel: () => clearTimeout(timer) };
    }
  }

  /** Drops a scheduled run, and the rerun asked for during a running one. */
  cancel(): void {
    this.#pending?.cancel();
    this.#pending = null;
    this.#again = false;
  }

  #run(): void {
    this.#pending = null;
    this.#running = true;
    const started = performance.now();
    const ended = (): void => {
      const now = performance.now();
      this.#notBefore = now + (now - started) * this.#gapFactor;
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    };
    let outcome: void | PromiseLike<unknown>;
    try {
      outcome = this.task();
    } catch (error) {
      ended();
      throw error;
    }
    if (outcome !== undefined && typeof outcome.then === 'function') outcome.then(ended, ended);
    else ended();
  }
}
