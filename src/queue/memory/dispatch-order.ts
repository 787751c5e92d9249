// Claim order of queued jobs (the memory backend's index): priority levels, round-robin across lanes, FIFO within a lane, and queued counts per room, user and key.
import { tally } from '../tally.js';

/** What the order needs to know about a queued item. */
export interface Schedulable {
  readonly id: string;
  readonly roomId: string | null;
  readonly userId: string;
  /** The API key it came through, if any (`Identity.keyId`): counted for the per-key cap, not used for order. */
  readonly keyId?: string | null;
  /** The lane it queues in; by default its room, or its user without a room (see {@link laneKey}). */
  readonly lane?: string;
  readonly priority: number;
}

/** Where a queued item stands in the projected order. */
export interface QueuePlace {
  /** 1-based place among every queued item. */
  position: number;
  /** 1-based place among the queued items of the same room; null without a room. */
  roomPosition: number | null;
}

interface Lane<T> {
  readonly key: string;
  readonly items: T[];
  /** Increases each time the lane goes to the back of its level's rotation. */
  ticket: number;
}

interface Level<T> {
  readonly priority: number;
  /** Lanes in rotation order: a Map keeps insertion order, and delete + set moves a lane to the back in O(1). */
  readonly lanes: Map<string, Lane<T>>;
  size: number;
  /** Ticket of the lane most recently sent to the back, so "am I last?" is O(1). */
  lastTicket: number;
}

/** Jobs of one room share a lane; a job without a room is in its user's own lane, so one user's flood is one lane too. */
export function laneKey(item: Pick<Schedulable, 'roomId' | 'userId'>): string {
  return item.roomId === null ? `user:${item.userId}` : `room:${item.roomId}`;
}

function laneOf(item: Schedulable): string {
  return item.lane ?? laneKey(item);
}

/**
 * The fair order in which queued items get a slot.
 *
 * Higher priority first. Within a priority, lanes take turns: the lane that just got a slot goes to the back of the
 * rotation, a new lane joins at the back. Within a lane, first in first out. The projected order is what dispatch
 * would do if nothing else arrived and no room or user were at its running cap: round 0 is every lane's head in rotation
 * order, round 1 every lane's second item, and so on.
 *
 * Items are held by reference: pass the same object to `remove` and `placeOf` that was given to `add`.
 */
export class DispatchOrder<T extends Schedulable> {
  /** Non-empty levels, highest priority first. */
  readonly #levels: Level<T>[] = [];
  readonly #levelByPriority = new Map<number, Level<T>>();
  readonly #roomQueued = new Map<string, number>();
  readonly #userQueued = new Map<string, number>();
  readonly #keyQueued = new Map<string, number>();
  #size = 0;
  #ticket = 0;

  /** Number of queued items. */
  get size(): number {
    return this.#size;
  }

  /** Number of queued items of one room. */
  queuedInRoom(roomId: string): number {
    return this.#roomQueued.get(roomId) ?? 0;
  }

  /** Number of queued items of one user, in every room and none. */
  queuedOfUser(userId: string): number {
    return this.#userQueued.get(userId) ?? 0;
  }

  /** Number of queued items that came through one API key. */
  queuedOfKey(keyId: string): number {
    return this.#keyQueued.get(keyId) ?? 0;
  }

  /** Appends an item at the tail of its lane, or at its head with `atHead` (a job given back keeps its turn). */
  add(item: T, atHead = false): void {
    const level = this.#levelFor(item.priority);
    const key = laneOf(item);
    let lane = level.lanes.get(key);
    if (lane === undefined) {
      lane = { key, items: [], ticket: 0 };
      this.#sendToBack(level, lane);
    }
    if (atHead) lane.items.unshift(item);
    else lane.items.push(item);
    this.#counted(level, item, +1);
  }

  /** Removes a queued item (e.g. cancelled); false when it is not queued. */
  remove(item: T): boolean {
    const level = this.#levelByPriority.get(item.priority);
    const lane = level?.lanes.get(laneOf(item));
    const index = lane?.items.indexOf(item) ?? -1;
    if (level === undefined || lane === undefined || index < 0) return false;
    lane.items.splice(index, 1);
    if (lane.items.length === 0) level.lanes.delete(lane.key);
    this.#counted(level, item, -1);
    return true;
  }

  /**
   * Takes the item that gets the next slot: the head of the first lane in rotation, highest priority first, that
   * `mayStart` accepts (it says no when the item's room or user is at its running cap). A lane whose head may not start
   * is skipped but keeps its turn, so it goes first once a slot frees.
   */
  takeNext(mayStart: (item: T) => boolean): T | undefined {
    return this.takeFirst((item) => (mayStart(item) ? 'take' : 'skip'));
  }

  /**
   * Like {@link takeNext}, with a third answer: `spare` heads are taken only when no head in the whole order is
   * `take`, the first spare in rotation order then. Skipped and passed-over lanes keep their turn. With `eligible`,
   * a lane's head is its first eligible item (lanes with none are passed over): a worker that can run only some items
   * sees the usual order among those.
   */
  takeFirst(decide: (item: T) => 'take' | 'spare' | 'skip', eligible?: (item: T) => boolean): T | undefined {
    let spare: { level: Level<T>; lane: Lane<T>; index: number } | null = null;
    for (const level of this.#levels) {
      for (const lane of level.lanes.values()) {
        const index = eligible === undefined ? 0 : lane.items.findIndex(eligible);
        if (index < 0) continue;
        const decision = decide(lane.items[index] as T);
        if (decision === 'take') return this.#takeAt(level, lane, index);
        if (decision === 'spare' && spare === null) spare = { level, lane, index };
      }
    }
    return spare === null ? undefined : this.#takeAt(spare.level, spare.lane, spare.index);
  }

  /**
   * Place of one queued item, or null when it is not queued. The room position counts the item's own lane only, which
   * is the room's whole queue when (as by default) a room's jobs share one lane. O(lanes of its priority) in general and O(levels) for
   * the common case of a lone job in a lane that just joined the rotation.
   */
  placeOf(item: T): QueuePlace | null {
    const level = this.#levelByPriority.get(item.priority);
    const key = laneOf(item);
    const lane = level?.lanes.get(key);
    const round = lane?.items.indexOf(item) ?? -1;
    if (level === undefined || lane === undefined || round < 0) return null;
    let ahead = 0;
    let roomAhead = 0;
    for (const higher of this.#levels) {
      if (higher === level) break;
      ahead += higher.size;
      if (item.roomId !== null) roomAhead += higher.lanes.get(key)?.items.length ?? 0;
    }
    if (round === 0 && lane.ticket === level.lastTicket) {
      ahead += level.lanes.size - 1;
    } else {
      let beforeMine = true;
      for (const other of level.lanes.values()) {
        if (other === lane) {
          beforeMine = false;
          ahead += round;
          continue;
        }
        const length = other.items.length;
        ahead += Math.min(length, round);
        // In my round, the lanes ahead of mine in the rotation go first.
        if (beforeMine && length > round) ahead += 1;
      }
    }
    return { position: ahead + 1, roomPosition: item.roomId === null ? null : roomAhead + round + 1 };
  }

  /**
   * Visits every queued item in projected order with its place. O(items + lanes). The place object is reused between
   * calls (a pass over 10k items would otherwise allocate 10k of them): copy its fields, do not keep it. A visitor that
   * returns `false` ends the walk there.
   */
  forEachInOrder(visit: (item: T, place: Readonly<QueuePlace>) => unknown): void {
    let position = 0;
    const place: QueuePlace = { position: 0, roomPosition: null };
    const roomSeen = new Map<string, number>();
    for (const level of this.#levels) {
      // Lanes still holding an item for the current round; shrinks as short lanes run out, so the total work stays linear.
      let active = [...level.lanes.values()];
      for (let round = 0; active.length > 0; round += 1) {
        const next: Lane<T>[] = [];
        for (const lane of active) {
          const item = lane.items[round] as T;
          position += 1;
          let roomPosition: number | null = null;
          if (item.roomId !== null) {
            roomPosition = (roomSeen.get(item.roomId) ?? 0) + 1;
            roomSeen.set(item.roomId, roomPosition);
          }
          place.position = position;
          place.roomPosition = roomPosition;
          if (visit(item, place) === false) return;
          if (lane.items.length > round + 1) next.push(lane);
        }
        active = next;
      }
    }
  }

  /** Queued items of one room in room order. */
  roomItems(roomId: string): T[] {
    const items: T[] = [];
    this.forEachInOrder((item) => {
      if (item.roomId === roomId) items.push(item);
    });
    return items;
  }

  /** Removes everything and returns the items in projected order. */
  drain(): T[] {
    const items: T[] = [];
    this.forEachInOrder((item) => items.push(item));
    this.#levels.length = 0;
    this.#levelByPriority.clear();
    this.#roomQueued.clear();
    this.#userQueued.clear();
    this.#keyQueued.clear();
    this.#size = 0;
    return items;
  }

  #takeAt(level: Level<T>, lane: Lane<T>, index: number): T {
    const item = lane.items.splice(index, 1)[0] as T;
    level.lanes.delete(lane.key);
    if (lane.items.length > 0) this.#sendToBack(level, lane);
    this.#counted(level, item, -1);
    return item;
  }

  #levelFor(priority: number): Level<T> {
    let level = this.#levelByPriority.get(priority);
    if (level === undefined) {
      level = { priority, lanes: new Map(), size: 0, lastTicket: 0 };
      this.#levelByPriority.set(priority, level);
      const at = this.#levels.findIndex((existing) => existing.priority < priority);
      this.#levels.splice(at < 0 ? this.#levels.length : at, 0, level);
    }
    return level;
  }

  #sendToBack(level: Level<T>, lane: Lane<T>): void {
    this.#ticket += 1;
    lane.ticket = this.#ticket;
    level.lastTicket = this.#ticket;
    level.lanes.set(lane.key, lane);
  }

  #counted(level: Level<T>, item: T, delta: 1 | -1): void {
    this.#size += delta;
    level.size += delta;
    if (level.size === 0) {
      this.#levelByPriority.delete(level.priority);
      this.#levels.splice(this.#levels.indexOf(level), 1);
    }
    if (item.roomId !== null) tally(this.#roomQueued, item.roomId, delta);
    tally(this.#userQueued, item.userId, delta);
    if (item.keyId) tally(this.#keyQueued, item.keyId, delta);
  }
}

