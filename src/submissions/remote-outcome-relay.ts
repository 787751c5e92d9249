// Relays to an API node's subscribers what worker nodes did with its jobs: the shared queue's news, confirmed by the store.
import type { Logger } from '../logging/logger.js';
import type { QueueEvent } from '../queue/job-queue.js';
import type { Store } from '../store/store.js';
import type { SubmissionEvent } from './types.js';

export interface RemoteOutcomeRelayDeps {
  store: Store;
  /** Hands an event to the service's subscribers (REST `?wait=`, rooms, metrics). */
  publish(event: SubmissionEvent): void;
  logger: Logger;
}

/**
 * On a node that runs no jobs, nobody local publishes `started`, `completed` or `failed`: the runs happen on worker
 * nodes and reach this node only as events of the shared queue. A finish is published from the row the worker wrote
 * (the store decides what a submission is), so a queue `failed` for a job the worker refused to run (it was cancelled)
 * publishes nothing, and subscribers that read the submission on `completed` find it completed. Events go out in the
 * order the queue reported them.
 */
export class RemoteOutcomeRelay {
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly deps: RemoteOutcomeRelayDeps) {}

  /** Takes every queue event; relays the ones that report a run. */
  relay(event: QueueEvent): void {
    if (event.type !== 'started' && event.type !== 'completed' && event.type !== 'failed') return;
    this.#chain = this.#chain
      .then(() => (event.type === 'started' ? this.deps.publish(event) : this.#relayFinish(event)))
      .catch((error: unknown) => this.deps.logger.warn({ err: error, executionId: event.entry.id }, 'could not relay the outcome of a run on another node'));
  }

  /** Resolves once every event taken so far has been relayed. */
  drain(): Promise<void> {
    return this.#chain;
  }

  async #relayFinish(event: Extract<QueueEvent, { type: 'completed' | 'failed' }>): Promise<void> {
    const submission = await this.deps.store.getSubmission(event.entry.id);
    if (!submission) return;
    const finishedAt = submission.finishedAt?.getTime() ?? event.finishedAt;
    // Only the event that matches the row: a job delivered again after its run was stored (its worker lost Redis before
    // it could say so) is refused by the worker and reported `failed`, while the row says `completed`; that finish was
    // published already, and publishing it twice would show clients and rooms two outcomes.
    if (event.type === 'completed' && submission.status === 'completed' && submission.result !== null) {
      this.deps.publish({ type: 'completed', entry: event.entry, result: submission.result, finishedAt });
    } else if (event.type === 'failed' && submission.status === 'failed') {
      this.deps.publish({ type: 'failed', entry: event.entry, error: submission.error ?? 'failed', finishedAt });
    }
  }
}
