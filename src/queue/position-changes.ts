// Live positions: which queued jobs moved since they were last reported, collected once per tick.
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
 */
export class CoalescedTask {
  #pending: NodeJS.Immediate | null = null;

  constructor(private readonly task: () => void) {}

  /** Schedules the task for the next turn unless it is already scheduled. */
  request(): void {
    if (this.#pending !== null) return;
    this.#pending = setImmediate(() => {
      this.#pending = null;
      this.task();
    });
  }

  /** Drops a scheduled run. */
  cancel(): void {
    if (this.#pending !== null) clearImmediate(this.#pending);
    this.#pending = null;
  }
}
