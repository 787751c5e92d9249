// Live positions: which queued jobs moved since they were last reported, collected once per tick.
import { performance } from 'node:perf_hooks';
import type { DispatchOrder, Schedulable } from './dispatch-order.js';
import type { PositionChange } from './job-queue.js';

/** A queued item that remembers the place it was last reported at. */
export interface PositionTracked extends Schedulable {
  reportedPosition: number;
  reportedRoomPosition: number | null;
}

/**
 * Walks the projected order once (O(n)) and returns the items whose place differs from the one last reported,
 * updating what was reported. Items never reported (new ones) carry the place given in their `queued` event.
 */
export function collectPositionChanges<T extends PositionTracked>(order: DispatchOrder<T>): PositionChange[] {
  const changes: PositionChange[] = [];
  order.forEachInOrder((item, place) => {
    if (place.position === item.reportedPosition && place.roomPosition === item.reportedRoomPosition) return;
    item.reportedPosition = place.position;
    item.reportedRoomPosition = place.roomPosition;
    changes.push({ jobId: item.id, roomId: item.roomId, userId: item.userId, position: place.position, roomPosition: place.roomPosition });
  });
  return changes;
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
