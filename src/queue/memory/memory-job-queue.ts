// MemoryJobQueue: the embedded default JobQueue — the scheduling policy over the in-process backend, running jobs here.
import { ScheduledJobQueue } from '../scheduled-job-queue.js';
import type { ScheduledJobQueueOptions } from '../scheduled-job-queue-options.js';
import { MemoryQueueBackend } from './memory-queue-backend.js';

/** Options of the in-memory queue: the scheduled queue's, with the backend chosen. */
export type MemoryJobQueueOptions = ScheduledJobQueueOptions;

/**
 * Admission caps, priorities, round-robin fairness across lanes, running caps and exact live positions, all held in
 * this process. Everything is lost with the process, so `close()` hands back what did not finish; the caller keeps
 * durable state.
 */
export class MemoryJobQueue extends ScheduledJobQueue {
  constructor(options: MemoryJobQueueOptions) {
    super({ ...options, backend: new MemoryQueueBackend({ now: options.now ?? Date.now }) });
  }
}
