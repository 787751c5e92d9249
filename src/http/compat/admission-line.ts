// A first-come-first-served line per key: synchronous requests of one user in one room take turns instead of racing.
/**
 * The scheduler admits one active execution per user per room. Synchronous seed routes would otherwise poll and race for
 * that place, which is unfair and wasteful; this line hands it over in arrival order within this process.
 */
export class AdmissionLine {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `task` once every earlier task with the same key has settled. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    try {
      await previous;
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

}
