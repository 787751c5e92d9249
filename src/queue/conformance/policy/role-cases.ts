// Conformance: producer and worker roles — a producer-only queue admits and lists jobs but never runs one.
import { describe, expect, it } from 'vitest';
import { EventLog, FakeHandler, makeJob, type ConformanceContext } from '../harness.js';

export function roleCases(context: ConformanceContext): void {
  describe('when the queue is producer-only', () => {
    it('should admit, list and cancel jobs, and never call its handler', async () => {
      const producer = await context.makeQueue({}, { workerSlots: 0 });
      const handler = new FakeHandler();
      producer.process(handler.handler);
      const kept = makeJob();
      const withdrawn = makeJob();
      await producer.enqueue(kept);
      await producer.enqueue(withdrawn);
      await producer.cancel(withdrawn.id, withdrawn.user.userId);
      await context.settle();
      expect(handler.calls).toEqual([]);
      expect((await producer.snapshot()).queued.map((entry) => entry.id)).toEqual([kept.id]);
    });
  });

  describe('when a worker shares the producer\'s backend', () => {
    it('should run what the producer admitted, and the producer should see it start and finish', async () => {
      const backend = await context.makeBackend();
      const producer = await context.makeQueue({}, { workerSlots: 0, backend });
      const log = new EventLog(producer);
      const job = makeJob();
      await producer.enqueue(job);
      const worker = await context.makeQueue({}, { backend });
      const handler = new FakeHandler();
      worker.process(handler.handler);
      await handler.waitForCalls(1);
      expect(handler.startedIds).toEqual([job.id]);
      handler.complete(job.id);
      await log.waitFor('completed');
      expect(log.typesFor(job.id)).toEqual(['queued', 'started', 'completed']);
    });
  });

  describe('when a run outlasts its lease', () => {
    it('should keep the job with its worker while the run is alive, and run it once', async () => {
      const queue = await context.makeQueue({}, { leaseMs: context.shortLeaseMs });
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob();
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      // Several lease periods: the worker's heartbeat must have renewed it.
      await new Promise((resolve) => setTimeout(resolve, context.shortLeaseMs * 7));
      expect(await queue.get(job.id)).toMatchObject({ startedAt: expect.any(Number) });
      handler.complete(job.id);
      await log.waitFor('completed');
      await context.settle();
      expect(handler.calls).toHaveLength(1);
      expect(log.typesFor(job.id)).toEqual(['queued', 'started', 'completed']);
    });
  });
}
