// Serialises each room's work and hands out its persisted, gap-free event sequence numbers.
import type { Store } from '../store/store.js';

/**
 * Every room has one chain of tasks: allocating a sequence number and emitting the event happen in the same task,
 * so the order clients receive a room's events is the order of their sequence numbers.
 */
export class RoomSequencer {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly store: Pick<Store, 'nextRoomSequence'>) {}

  /** Runs `task` after every task queued earlier for the room; a failing task does not block the ones after it. */
  run<T>(roomId: string, task: () => Promise<T> | T): Promise<T> {
    const previous = this.tails.get(roomId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(roomId, tail);
    void tail.then(() => {
      // Forget idle rooms so the map holds only rooms with work in flight.
      if (this.tails.get(roomId) === tail) this.tails.delete(roomId);
    });
    return next;
  }

  /** Reserves `count` consecutive numbers and returns the first; call it only from inside `run` for that room. */
  async allocate(roomId: string, count = 1): Promise<number> {
    const last = await this.store.nextRoomSequence(roomId, count);
    return last - count + 1;
  }

  /** Resolves once every task queued so far has settled. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}
