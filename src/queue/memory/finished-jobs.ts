// A bounded memory of recently finished jobs and their owners, so late cancels get 403/409 rather than 404.

/** Remembers the owner of the last `capacity` finished jobs, oldest forgotten first. */
export class FinishedJobs {
  readonly #owners = new Map<string, string>();

  constructor(readonly capacity: number) {}

  add(jobId: string, userId: string): void {
    this.#owners.set(jobId, userId);
    if (this.#owners.size > this.capacity) this.#owners.delete(this.#owners.keys().next().value as string);
  }

  /** Owner of a remembered finished job, else undefined. */
  ownerOf(jobId: string): string | undefined {
    return this.#owners.get(jobId);
  }

  clear(): void {
    this.#owners.clear();
  }
}
