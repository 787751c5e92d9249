// MemoryJobQueue: the embedded default JobQueue — the scheduling policy over the in-process backend, running jobs here.
import { ScheduledJobQueue, type WorkerPresence } from '../scheduled-job-queue.js';
import type { ScheduledJobQueueOptions } from '../scheduled-job-queue-options.js';
import { MemoryQueueBackend } from './memory-queue-backend.js';

/** Options of the in-memory queue: the scheduled queue's, with the backend chosen, and where this node lists itself. */
export interface MemoryJobQueueOptions extends ScheduledJobQueueOptions {
  /** The registry listing this node as the one worker. @defaultValue none */
  presence?: WorkerPresence;
}

/**
 * Admission caps, priorities, round-robin fairness across lanes, running caps and exact live positions, all held in
 * this process. Everything is lost with the process, so `close()` hands back what did not finish; the caller keeps
 * durable state.
 */
export class MemoryJobQueue extends ScheduledJobQueue {
  constructor(options: MemoryJobQueueOptions) {
    const { presence, ...queueOptions } = options;
    super({ ...queueOptions, backend: new MemoryQueueBackend({ now: options.now ?? Date.now }), ...(presence ? { presence } : {}) });
  }
}
