// Keeps the store's room counters up with the Redis ones, in batches, so a room's numbering survives losing Redis's data.
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/store.js';

/** How often the numbers taken since the last flush are added to the store, ms. */
const FLUSH_INTERVAL_MS = 500;

/**
 * Redis is the counter of a cluster's rooms; the store's counter is where Redis seeds a room it has never seen. Adding
 * the numbers taken to the store every half second (instead of one write per event) keeps it at most that far behind.
 */
export class SequenceShadow {
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Store, 'nextRoomSequence'>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  add(roomId: string, count: number): void {
    this.#pending.set(roomId, (this.#pending.get(roomId) ?? 0) + count);
  }

  /** Writes what was taken since the last flush. */
  flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#flushing.then(async () => {
      for (const [roomId, count] of batch) {
        await this.store.nextRoomSequence(roomId, count).catch((error: unknown) => {
          // Put back, so the next flush tries again.
          this.add(roomId, count);
          this.logger.warn({ err: error, roomId }, 'could not copy a room sequence to the store; retrying');
        });
      }
    });
    return this.#flushing;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.flush();
  }
}
