// Live positions: which queued jobs moved since they were last announced, collected at most once per tick.
import { performance } from 'node:perf_hooks';
import type { BackendPlace } from './backend.js';
import type { PositionChange } from './job-queue.js';

/** A queued job as listed, with its current place. */
export interface PlacedJob {
  job: { readonly id: string; readonly roomId: string | null; readonly userId: string };
  place: BackendPlace;
}

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
   * Compares a full listing of the queue (in order) with what was announced: returns the jobs whose place differs
   * (or was never announced), records them, and forgets jobs no longer listed. O(listed + announced).
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
 * Each pass is O(queued), and with a long queue every dispatch moves everyone, so passes are also spaced out to keep
 * them within `cpuShare` of the time: after a pass that took d ms the next waits at least d × (1 / cpuShare − 1) ms.
 * Short queues (passes well under a millisecond) still get one pass per tick.
 */
export class CoalescedTask {
  #pending: { cancel(): void } | null = null;
  #notBefore = 0;
  readonly #gapFactor: number;

  /** @param cpuShare fraction of wall time the task may take, in (0, 1]; 1 means once per tick, no spacing. */
  constructor(
    private readonly task: () => void,
    cpuShare = 1,
  ) {
    if (!(cpuShare > 0 && cpuShare <= 1)) throw new RangeError(`cpuShare must be in (0, 1], got ${cpuShare}`);
    this.#gapFactor = 1 / cpuShare - 1;
  }

  /** Schedules the task for the next turn (or the end of its spacing gap) unless it is already scheduled. */
  request(): void {
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

  /** Drops a scheduled run. */
  cancel(): void {
    this.#pending?.cancel();
    this.#pending = null;
  }

  #run(): void {
    this.#pending = null;
    const started = performance.now();
    try {
      this.task();
    } finally {
      const ended = performance.now();
      this.#notBefore = ended + (ended - started) * this.#gapFactor;
    }
  }
}
