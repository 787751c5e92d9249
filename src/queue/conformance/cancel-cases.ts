// Conformance: who may cancel what, and what cancelling does.
import { describe, expect, it } from 'vitest';
import { QUEUE_ERRORS } from '../../errors/index.js';
import { EventLog, expectAppError, FakeHandler, makeJob, roomName, type ConformanceContext } from './harness.js';

export function cancelCases(context: ConformanceContext): void {
  describe('when the owner cancels a queued job', () => {
    it('should remove it, emit cancelled and never run it', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      const room = roomName('r');
      const job = makeJob({ roomId: room, userId: 'ada' });
      const other = makeJob();
      await queue.enqueue(job);
      await queue.enqueue(other);
      const entry = await queue.cancel(job.id, 'ada');
      expect(entry).toMatchObject({ id: job.id, userId: 'ada', roomId: room });
      const [cancelled] = log.ofType('cancelled');
      expect(cancelled).toMatchObject({ entry: { id: job.id }, byUserId: 'ada', finishedAt: expect.any(Number) });
      expect(await queue.get(job.id)).toBeNull();
      const handler = new FakeHandler();
      queue.process(handler.handler);
      await handler.waitForCalls(1);
      await context.settle();
      expect(handler.startedIds).toEqual([other.id]);
    });

    it('should free its place under the room queue cap', async () => {
      const queue = await context.makeQueue({ roomMaxQueued: 1 });
      const room = roomName('r');
      const job = makeJob({ roomId: room });
      await queue.enqueue(job);
      await queue.cancel(job.id, job.user.userId);
      await queue.enqueue(makeJob({ roomId: room }));
    });
  });

  describe('when someone else tries to cancel', () => {
    it('should refuse with 403 RUNLANE_ERR_QUEUE_CANCEL_FORBIDDEN and keep the job queued', async () => {
      const queue = await context.makeQueue();
      const job = makeJob({ userId: 'ada' });
      await queue.enqueue(job);
      await expectAppError(queue.cancel(job.id, 'mallory'), QUEUE_ERRORS.cancelForbidden.code, 403);
      expect(await queue.get(job.id)).toMatchObject({ position: 1 });
    });

    it('should refuse with 403 for a running job too', async () => {
      const queue = await context.makeQueue();
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob({ userId: 'ada' });
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      await expectAppError(queue.cancel(job.id, 'mallory'), QUEUE_ERRORS.cancelForbidden.code, 403);
    });
  });

  describe('when the job is no longer queued', () => {
    it('should refuse a running job with 409 RUNLANE_ERR_QUEUE_NOT_CANCELLABLE and leave it running', async () => {
      const queue = await context.makeQueue();
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob({ userId: 'ada' });
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      await expectAppError(queue.cancel(job.id, 'ada'), QUEUE_ERRORS.notCancellable.code, 409);
      expect(handler.calls[0]!.signal.aborted).toBe(false);
      expect(await queue.get(job.id)).toMatchObject({ startedAt: expect.any(Number) });
    });

    it('should refuse a finished job with 409', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob({ userId: 'ada' });
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      handler.complete(job.id);
      await log.waitFor('completed');
      await expectAppError(queue.cancel(job.id, 'ada'), QUEUE_ERRORS.notCancellable.code, 409);
    });

    it('should refuse a job cancelled before with 409', async () => {
      const queue = await context.makeQueue();
      const job = makeJob({ userId: 'ada' });
      await queue.enqueue(job);
      await queue.cancel(job.id, 'ada');
      await expectAppError(queue.cancel(job.id, 'ada'), QUEUE_ERRORS.notCancellable.code, 409);
    });
  });

  describe('when the id is unknown', () => {
    it('should refuse with 404 RUNLANE_ERR_QUEUE_NOT_FOUND', async () => {
      const queue = await context.makeQueue();
      await expectAppError(queue.cancel('no-such-job', 'ada'), QUEUE_ERRORS.notFound.code, 404);
      expect(await queue.get('no-such-job')).toBeNull();
    });
  });
}
