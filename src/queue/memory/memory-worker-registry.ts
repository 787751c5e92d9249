// MemoryWorkerRegistry: the embedded node's registry — entries with expiries held in this process.
import type { WorkerAnnouncement, WorkerInfo, WorkerRegistry } from '../worker-registry.js';

export interface MemoryWorkerRegistryOptions {
  /**
   * Clock in epoch ms.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

/** One process's view: in embedded mode the node itself is the one worker, listed in the same shape as a cluster's. */
export class MemoryWorkerRegistry implements WorkerRegistry {
  readonly #now: () => number;
  readonly #entries = new Map<string, { info: WorkerInfo; expiresAt: number }>();

  constructor(options: MemoryWorkerRegistryOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  heartbeat(worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    const now = this.#now();
    this.#entries.set(worker.id, { info: { ...worker, languages: [...worker.languages], lastHeartbeat: now }, expiresAt: now + ttlMs });
    return Promise.resolve();
  }

  deregister(id: string): Promise<void> {
    this.#entries.delete(id);
    return Promise.resolve();
  }

  list(): Promise<WorkerInfo[]> {
    return Promise.resolve(
      this.#live()
        .map((info) => ({ ...info, languages: [...info.languages] }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    );
  }

  servedLanguages(): Promise<Set<string>> {
    return Promise.resolve(new Set(this.#live().flatMap((info) => info.languages)));
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Live entries; expired ones are dropped as they are found. */
  #live(): WorkerInfo[] {
    const now = this.#now();
    const live: WorkerInfo[] = [];
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(id);
      else live.push(entry.info);
    }
    return live;
  }
}
