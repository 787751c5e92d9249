// WorkerHeartbeat: keeps one worker's registry entry alive while it takes jobs, and removes it when it stops.
import type { QueueLogger } from './scheduled-job-queue-options.js';
import type { WorkerAnnouncement, WorkerRegistry } from './worker-registry.js';

export interface WorkerHeartbeatOptions {
  registry: WorkerRegistry;
  /** Everything the entry says but the running count, which is read at each beat. */
  worker: Omit<WorkerAnnouncement, 'running' | 'startedAt'>;
  /** Executions running now. */
  running: () => number;
  /** Between two beats, ms; the entry lives three of them, so one or two lost beats do not drop a live worker. */
  intervalMs: number;
  logger: QueueLogger | null;
}

/** How many beat intervals an entry outlives its last beat. */
export const HEARTBEAT_TTL_BEATS = 3;

/**
 * Beats at start and every `intervalMs`; a beat that fails (Redis away) is logged and the next one tries again. Stop
 * removes the entry at once, so a worker shutting down stops counting as capacity before its last runs end.
 */
export class WorkerHeartbeat {
  readonly #options: WorkerHeartbeatOptions;
  #timer: NodeJS.Timeout | null = null;
  #startedAt = 0;
  #stopped = false;
  #beating: Promise<void> = Promise.resolve();
  #lastErrorAt = -Infinity;

  constructor(options: WorkerHeartbeatOptions) {
    this.#options = options;
  }

  /** Registers now (resolves once the first beat landed or failed) and keeps beating. */
  start(): Promise<void> {
    if (this.#timer !== null || this.#stopped) return this.#beating;
    this.#startedAt = Date.now();
    this.#timer = setInterval(() => void this.#beat(), this.#options.intervalMs);
    this.#timer.unref();
    return this.#beat();
  }

  /** Stops beating and deregisters; a failure is logged (the entry then expires by itself). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#beating;
    await this.#options.registry.deregister(this.#options.worker.id).catch((error: unknown) => {
      this.#options.logger?.warn({ err: error }, 'could not remove this worker from the registry; its entry expires by itself');
    });
  }

  #beat(): Promise<void> {
    const { registry, worker, running, intervalMs, logger } = this.#options;
    // One beat at a time, so a slow Redis cannot reorder them (a late beat re-registering after stop).
    this.#beating = this.#beating.then(async () => {
      if (this.#stopped) return;
      try {
        await registry.heartbeat({ ...worker, running: running(), startedAt: this.#startedAt }, intervalMs * HEARTBEAT_TTL_BEATS);
      } catch (error) {
        // Every beat fails while Redis is away: one line per half minute says so without flooding the log.
        const now = Date.now();
        if (now - this.#lastErrorAt >= 30_000) {
          this.#lastErrorAt = now;
          logger?.warn({ err: error }, 'the worker heartbeat could not be stored; retrying at every beat (the entry expires if none lands)');
        }
      }
    });
    return this.#beating;
  }
}
