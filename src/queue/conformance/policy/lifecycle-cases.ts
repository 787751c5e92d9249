// Conformance: graceful close with a grace period, and listeners that misbehave.
import { describe, expect, it } from 'vitest';
import { EventLog, FakeHandler, makeJob, roomName, type ConformanceContext } from '../harness.js';

/** What close() hands back: the jobs left over, or nothing when a durable backend keeps them for the other nodes. */
function handedBack(context: ConformanceContext, ids: string[]): string[] {
  return context.durable ? [] : ids;
}

export function lifecycleCases(context: ConformanceContext): void {
  describe('when closed while jobs run and wait', () => {
    it('should stop dispatching, let running jobs finish within the grace period and return the queued ones', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 2 });
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const jobs = [makeJob(), makeJob(), makeJob({ roomId: roomName('r') }), makeJob()];
      for (const job of jobs) await queue.enqueue(job);
      await handler.waitForCalls(2);
      const closing = queue.close(60_000);
      handler.complete(jobs[0]!.id);
      await log.waitFor('completed');
      await context.settle();
      // A slot is free, yet nothing new starts once closing.
      expect(handler.calls).toHaveLength(2);
      handler.complete(jobs[1]!.id);
      const { unfinished } = await closing;
      expect(unfinished.map((job) => job.id)).toEqual(handedBack(context, [jobs[2]!.id, jobs[3]!.id]));
      expect(log.ofType('completed')).toHaveLength(2);
      expect(handler.calls).toHaveLength(2);
    });

    it('should abort jobs still running when the grace period ends and report them unfinished', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1 });
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const stuck = makeJob();
      const waiting = makeJob();
      await queue.enqueue(stuck);
      await queue.enqueue(waiting);
      await handler.waitForCalls(1);
      const { unfinished } = await queue.close(20);
      expect(handler.calls[0]!.signal.aborted).toBe(true);
      expect(new Set(unfinished.map((job) => job.id))).toEqual(new Set(handedBack(context, [stuck.id, waiting.id])));
      // A handler that resolves after the abort is no longer the queue's business.
      handler.complete(stuck.id);
      await context.settle();
      expect(log.ofType('completed')).toEqual([]);
      expect(log.ofType('failed')).toEqual([]);
    });

    it('should resolve at once when nothing runs, and give the same answer when called again', async () => {
      const queue = await context.makeQueue();
      const job = makeJob();
      await queue.enqueue(job);
      const first = await queue.close(60_000);
      expect(first.unfinished.map((entry) => entry.id)).toEqual(handedBack(context, [job.id]));
      expect((await queue.close(60_000)).unfinished.map((entry) => entry.id)).toEqual(handedBack(context, [job.id]));
    });

    it('should still let the owner cancel a queued job during the grace period', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const running = makeJob();
      const queued = makeJob({ userId: 'ada' });
      await queue.enqueue(running);
      await queue.enqueue(queued);
      await handler.waitForCalls(1);
      const closing = queue.close(60_000);
      await queue.cancel(queued.id, 'ada');
      handler.complete(running.id);
      expect((await closing).unfinished).toEqual([]);
    });
  });

  describe('when a listener throws', () => {
    it('should still deliver events to other listeners and keep running jobs', async () => {
      const queue = await context.makeQueue();
      queue.subscribe(() => {
        throw new Error('listener bug');
      });
      queue.subscribe(async () => {
        throw new Error('async listener bug');
      });
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob();
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      handler.complete(job.id);
      await log.waitFor('completed');
      expect(log.typesFor(job.id)).toEqual(['queued', 'started', 'completed']);
    });
  });

  describe('when a listener unsubscribes', () => {
    it('should receive nothing more', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      await queue.enqueue(makeJob());
      log.stop();
      await queue.enqueue(makeJob());
      await context.settle();
      expect(log.ofType('queued')).toHaveLength(1);
    });
  });
}
