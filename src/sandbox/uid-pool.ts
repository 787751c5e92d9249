// Hands out host uids to runs so that no two live runs share one and a freed uid is not reused at once.

/** A pool of host uids `base .. base + count - 1`, leased round-robin. */
export class UidPool {
  private readonly leased = new Set<number>();
  private next = 0;

  /**
   * @param base first uid of the range (never 0: a run must not be root on the host)
   * @param count how many uids the range holds
   */
  constructor(
    private readonly base: number,
    private readonly count: number,
  ) {
    if (!Number.isInteger(base) || base <= 0) throw new RangeError(`uid base must be a positive integer, got ${base}`);
    if (!Number.isInteger(count) || count <= 0) throw new RangeError(`uid count must be a positive integer, got ${count}`);
  }

  /** Leases the next free uid, or returns null when every uid is in use. */
  acquire(): number | null {
    for (let tried = 0; tried < this.count; tried++) {
      const uid = this.base + ((this.next + tried) % this.count);
      if (this.leased.has(uid)) continue;
      this.leased.add(uid);
      // Round-robin rather than lowest-free: a just-freed uid is the last to come back.
      this.next = (uid - this.base + 1) % this.count;
      return uid;
    }
    return null;
  }

  /** Returns a uid to the pool. */
  release(uid: number): void {
    this.leased.delete(uid);
  }

  /** How many uids the pool holds. */
  get capacity(): number {
    return this.count;
  }

  /** Uids currently leased. */
  get inUse(): number {
    return this.leased.size;
  }
}
