// Recent run durations per room and node-wide, for honest Retry-After estimates.

/** Settings of a {@link RunDurations} tracker. */
export interface RunDurationsOptions {
  /** Recent durations kept per room (and node-wide); the estimate is their median. */
  samples: number;
  /** Rooms tracked at once; the least recently active room is forgotten beyond this. */
  maxRooms: number;
}

/** Fixed-size ring of the latest samples. */
class Ring {
  readonly #values: number[] = [];
  #next = 0;

  constructor(readonly capacity: number) {}

  push(value: number): void {
    if (this.#values.length < this.capacity) this.#values.push(value);
    else this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % this.capacity;
  }

  median(): number | null {
    if (this.#values.length === 0) return null;
    const sorted = [...this.#values].sort((left, right) => left - right);
    const middle = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  }
}

/**
 * Tracks how long runs took lately. The median rather than the mean, so one program that hit its time limit does not
 * triple the Retry-After everyone else is told.
 */
export class RunDurations {
  readonly #global: Ring;
  readonly #rooms = new Map<string, Ring>();

  constructor(readonly options: RunDurationsOptions) {
    this.#global = new Ring(options.samples);
  }

  /** Records one finished run. */
  record(roomId: string | null, durationMs: number): void {
    const value = Math.max(0, durationMs);
    this.#global.push(value);
    if (roomId === null) return;
    let ring = this.#rooms.get(roomId);
    if (ring === undefined) ring = new Ring(this.options.samples);
    // Re-inserting keeps the Map in least-recently-active order, so eviction drops the stalest room.
    this.#rooms.delete(roomId);
    this.#rooms.set(roomId, ring);
    ring.push(value);
    if (this.#rooms.size > this.options.maxRooms) {
      const stalest = this.#rooms.keys().next().value as string;
      this.#rooms.delete(stalest);
    }
  }

  /** Typical run duration in ms: the room's when it has history, else the node's, else null. */
  typicalMs(roomId: string | null = null): number | null {
    const room = roomId === null ? null : (this.#rooms.get(roomId)?.median() ?? null);
    return room ?? this.#global.median();
  }
}
