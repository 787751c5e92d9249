// Open connections counted per key (client address, user) against one cap per key.

/** Counts per key; a key is forgotten when its count drops to zero, so idle clients hold no memory. */
export class ConnectionCounter {
  readonly #counts = new Map<string, number>();

  /** @param limit most connections one key may hold at once */
  constructor(readonly limit: number) {}

  /** Takes a place for `key` and returns true, or returns false when the key already holds `limit`. */
  tryAcquire(key: string): boolean {
    const count = this.#counts.get(key) ?? 0;
    if (count >= this.limit) return false;
    this.#counts.set(key, count + 1);
    return true;
  }

  /** Gives back a place taken with `tryAcquire`; call it exactly once per successful acquire. */
  release(key: string): void {
    const count = (this.#counts.get(key) ?? 0) - 1;
    if (count <= 0) this.#counts.delete(key);
    else this.#counts.set(key, count);
  }

  countOf(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /** Keys holding at least one place. */
  get keys(): number {
    return this.#counts.size;
  }
}
