// Conformance: what cancelling does to queued, running, finished and unknown jobs (ownership is checked by the caller).
import { describe, expect, it } from 'vitest';
import { QUEUE_ERRORS } from '../../../errors/index.js';
import { EventLog, expectAppError, FakeHandler, makeJob, roomName, type ConformanceContext } from '../harness.js';

export function cancelCases(context: ConformanceContext): void {
  describe('when a queued job is cancelled', () => {
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

  describe('when the caller is not the job\'s owner', () => {
    it('should still remove it and name the caller in the event: who may cancel is the service\'s rule, not the queue\'s', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      const job = makeJob({ userId: 'ada' });
      await queue.enqueue(job);
      await queue.cancel(job.id, 'teacher');
      expect(log.ofType('cancelled')).toMatchObject([{ entry: { id: job.id, userId: 'ada' }, byUserId: 'teacher' }]);
      expect(await queue.get(job.id)).toBeNull();
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
    it('should refuse with 409 RUNLANE_ERR_QUEUE_NOT_CANCELLABLE: whether the id exists at all is the service\'s to say', async () => {
      const queue = await context.makeQueue();
      await expectAppError(queue.cancel('no-such-job', 'ada'), QUEUE_ERRORS.notCancellable.code, 409);
      expect(await queue.get('no-such-job')).toBeNull();
    });
  });
}
