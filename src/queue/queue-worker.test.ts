// The worker's claim poll: a job whose event never reached the worker is still claimed, on the poll.
import { afterEach, describe, expect, it } from 'vitest';
import type { BackendEvent } from './backend.js';
import { FakeHandler, makeJob } from './conformance/harness.js';
import type { JobQueueLimits } from './job-queue.js';
import { MemoryQueueBackend } from './memory/memory-queue-backend.js';
import { MemoryWorkerRegistry } from './memory/memory-worker-registry.js';
import { ScheduledJobQueue } from './scheduled-job-queue.js';

const limits: JobQueueLimits = { maxConcurrent: 2, maxQueued: 10, roomMaxRunning: 2, roomMaxQueued: 10, userMaxQueued: 10, userMaxRunning: 2, keyMaxQueued: 10 };

/** The memory backend with its events lost on the way, as a dropped pub/sub message would be. */
class DeafBackend extends MemoryQueueBackend {
  override subscribe(listener: (event: BackendEvent) => void): () => void {
    void listener;
    return () => undefined;
  }
}

const opened: ScheduledJobQueue[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((queue) => queue.close(0)));
});

function deafQueue(claimPollMs: number): ScheduledJobQueue {
  const queue = new ScheduledJobQueue({ backend: new DeafBackend(), limits, claimPollMs });
  opened.push(queue);
  return queue;
}

describe('QueueWorker', () => {
  describe('when the event announcing a job is lost', () => {
    it('should claim it on the next poll', async () => {
      const queue = deafQueue(50);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob();
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      expect(handler.startedIds).toEqual([job.id]);
      handler.complete(job.id);
    });

    it('should leave it waiting with the poll off (what the poll is there for)', async () => {
      const queue = deafQueue(0);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      await queue.enqueue(makeJob());
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(handler.calls).toHaveLength(0);
    });
  });

  describe('when it runs with a registry', () => {
    it('should list itself with its slots and languages while it runs, and leave on close', async () => {
      const registry = new MemoryWorkerRegistry();
      const queue = new ScheduledJobQueue({
        backend: new MemoryQueueBackend(),
        limits,
        // The harness's jobs are in python3.
        languages: ['python3'],
        presence: { registry, languages: ['python3'], host: 'host-a', pid: 7, heartbeatMs: 20, capacity: 'cluster' },
      });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      await queue.registered();
      const job = makeJob();
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      // The next beat carries the running count.
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await queue.workers()).toEqual([expect.objectContaining({ host: 'host-a', pid: 7, languages: ['python3'], slots: 2, running: 1 })]);
      expect((await queue.snapshot()).maxConcurrent).toBe(2);
      handler.complete(job.id);
      await queue.close(1_000);
      expect(await registry.list()).toEqual([]);
    });
  });
});
