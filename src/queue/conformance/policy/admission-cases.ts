// Conformance: admission caps, their error codes and Retry-After hints.
import { describe, expect, it } from 'vitest';
import { QUEUE_ERRORS } from '../../../errors/index.js';
import { EventLog, expectAppError, expectRetryAfter, FakeHandler, makeJob, roomName, type ConformanceContext } from '../harness.js';

export function admissionCases(context: ConformanceContext): void {
  describe('when the node queue is full', () => {
    it('should refuse with 503 RUNLANE_ERR_QUEUE_FULL and a Retry-After', async () => {
      const queue = await context.makeQueue({ maxQueued: 2 });
      await queue.enqueue(makeJob());
      await queue.enqueue(makeJob({ roomId: roomName('r') }));
      const error = await expectAppError(queue.enqueue(makeJob()), QUEUE_ERRORS.globalQueueFull.code, 503);
      expectRetryAfter(error);
    });

    it('should count only queued jobs, not running ones', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1, maxQueued: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      await queue.enqueue(makeJob());
      await handler.waitForCalls(1);
      await queue.enqueue(makeJob());
      await expectAppError(queue.enqueue(makeJob()), QUEUE_ERRORS.globalQueueFull.code, 503);
    });
  });

  describe('when a room queue is full', () => {
    it('should refuse with 429 RUNLANE_ERR_QUEUE_ROOM_FULL and a Retry-After, and admit other rooms', async () => {
      const queue = await context.makeQueue({ roomMaxQueued: 2 });
      const room = roomName('full');
      await queue.enqueue(makeJob({ roomId: room }));
      await queue.enqueue(makeJob({ roomId: room }));
      const error = await expectAppError(queue.enqueue(makeJob({ roomId: room })), QUEUE_ERRORS.roomQueueFull.code, 429);
      expectRetryAfter(error);
      await queue.enqueue(makeJob({ roomId: roomName('other') }));
    });

    it('should not apply room caps to jobs without a room', async () => {
      const queue = await context.makeQueue({ roomMaxQueued: 1 });
      const userId = `solo-${Math.random()}`;
      for (let index = 0; index < 3; index += 1) await queue.enqueue(makeJob({ userId }));
      expect((await queue.snapshot()).queueLength).toBe(3);
    });

    it('should count only queued jobs of the room, not running ones', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1, roomMaxQueued: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const room = roomName('r');
      await queue.enqueue(makeJob({ roomId: room }));
      await handler.waitForCalls(1);
      await queue.enqueue(makeJob({ roomId: room }));
      await expectAppError(queue.enqueue(makeJob({ roomId: room })), QUEUE_ERRORS.roomQueueFull.code, 429);
    });
  });

  describe('when a user already has a job in a room', () => {
    it('should refuse a second one in that room with 429 RUNLANE_ERR_QUEUE_USER_BUSY and a Retry-After', async () => {
      const queue = await context.makeQueue();
      const room = roomName('busy');
      await queue.enqueue(makeJob({ roomId: room, userId: 'ada' }));
      const error = await expectAppError(queue.enqueue(makeJob({ roomId: room, userId: 'ada' })), QUEUE_ERRORS.userBusy.code, 429);
      expectRetryAfter(error);
    });

    it('should refuse while the first one is running', async () => {
      const queue = await context.makeQueue();
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const room = roomName('busy');
      await queue.enqueue(makeJob({ roomId: room, userId: 'ada' }));
      await handler.waitForCalls(1);
      await expectAppError(queue.enqueue(makeJob({ roomId: room, userId: 'ada' })), QUEUE_ERRORS.userBusy.code, 429);
    });

    it('should admit the same user in another room and without a room', async () => {
      const queue = await context.makeQueue();
      await queue.enqueue(makeJob({ roomId: roomName('a'), userId: 'ada' }));
      await queue.enqueue(makeJob({ roomId: roomName('b'), userId: 'ada' }));
      await queue.enqueue(makeJob({ userId: 'ada' }));
      await queue.enqueue(makeJob({ userId: 'ada' }));
      expect((await queue.snapshot()).queueLength).toBe(4);
    });

    it('should admit the user again once the job has finished', async () => {
      const queue = await context.makeQueue();
      const handler = new FakeHandler();
      const log = new EventLog(queue);
      queue.process(handler.handler);
      const room = roomName('again');
      const first = makeJob({ roomId: room, userId: 'ada' });
      await queue.enqueue(first);
      await handler.waitForCalls(1);
      handler.complete(first.id);
      await log.waitFor('completed');
      await queue.enqueue(makeJob({ roomId: room, userId: 'ada' }));
    });

    it('should admit the user again once the job was cancelled', async () => {
      const queue = await context.makeQueue();
      const room = roomName('again');
      const first = makeJob({ roomId: room, userId: 'ada' });
      await queue.enqueue(first);
      await queue.cancel(first.id, 'ada');
      await queue.enqueue(makeJob({ roomId: room, userId: 'ada' }));
    });
  });

  describe('when a user reaches userMaxQueued', () => {
    it('should refuse with 429 RUNLANE_ERR_QUEUE_USER_QUOTA and a Retry-After, and admit other users', async () => {
      const queue = await context.makeQueue({ userMaxQueued: 3 });
      const userId = `greedy-${Math.random()}`;
      for (let index = 0; index < 3; index += 1) await queue.enqueue(makeJob({ userId }));
      const error = await expectAppError(queue.enqueue(makeJob({ userId })), QUEUE_ERRORS.userQuota.code, 429);
      expectRetryAfter(error);
      await queue.enqueue(makeJob({ userId: `patient-${Math.random()}` }));
      expect((await queue.snapshot()).queueLength).toBe(4);
    });

    it('should count the user\'s jobs in every room and without a room together', async () => {
      const queue = await context.makeQueue({ userMaxQueued: 3 });
      const userId = `roamer-${Math.random()}`;
      await queue.enqueue(makeJob({ userId, roomId: roomName('a') }));
      await queue.enqueue(makeJob({ userId, roomId: roomName('b') }));
      await queue.enqueue(makeJob({ userId }));
      await expectAppError(queue.enqueue(makeJob({ userId, roomId: roomName('c') })), QUEUE_ERRORS.userQuota.code, 429);
      await expectAppError(queue.enqueue(makeJob({ userId })), QUEUE_ERRORS.userQuota.code, 429);
    });

    it('should count only queued jobs, not running ones', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1, userMaxQueued: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const userId = `busy-${Math.random()}`;
      await queue.enqueue(makeJob({ userId }));
      await handler.waitForCalls(1);
      await queue.enqueue(makeJob({ userId }));
      await expectAppError(queue.enqueue(makeJob({ userId })), QUEUE_ERRORS.userQuota.code, 429);
    });

    it('should admit the user again once a queued job starts or is cancelled', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1, userMaxQueued: 1 });
      const handler = new FakeHandler();
      const userId = `again-${Math.random()}`;
      const first = makeJob({ userId });
      await queue.enqueue(first);
      await queue.cancel(first.id, userId);
      const second = makeJob({ userId });
      await queue.enqueue(second);
      queue.process(handler.handler);
      await handler.waitForCalls(1);
      await queue.enqueue(makeJob({ userId }));
      expect(handler.startedIds).toEqual([second.id]);
    });
  });

  describe('when an API key reaches keyMaxQueued', () => {
    it('should refuse every user of the key with 429 RUNLANE_ERR_QUEUE_KEY_QUOTA and a Retry-After', async () => {
      const queue = await context.makeQueue({ keyMaxQueued: 3, userMaxQueued: 10 });
      const keyId = `key:${Math.random()}`;
      await queue.enqueue(makeJob({ keyId, userId: 'end-user-1' }));
      await queue.enqueue(makeJob({ keyId, userId: 'end-user-2', roomId: roomName('r') }));
      await queue.enqueue(makeJob({ keyId, userId: 'end-user-3' }));
      const error = await expectAppError(queue.enqueue(makeJob({ keyId, userId: 'end-user-4' })), QUEUE_ERRORS.keyQuota.code, 429);
      expectRetryAfter(error);
    });

    it('should admit other keys and users without a key', async () => {
      const queue = await context.makeQueue({ keyMaxQueued: 1 });
      const keyId = `key:${Math.random()}`;
      await queue.enqueue(makeJob({ keyId }));
      await expectAppError(queue.enqueue(makeJob({ keyId })), QUEUE_ERRORS.keyQuota.code, 429);
      await queue.enqueue(makeJob({ keyId: `key:${Math.random()}` }));
      await queue.enqueue(makeJob());
      await queue.enqueue(makeJob());
      expect((await queue.snapshot()).queueLength).toBe(4);
    });
  });

  describe('when a job is refused', () => {
    it('should emit nothing and leave the queue as it was', async () => {
      const queue = await context.makeQueue({ maxQueued: 1 });
      await queue.enqueue(makeJob());
      const log = new EventLog(queue);
      const before = await queue.snapshot();
      await expectAppError(queue.enqueue(makeJob()), QUEUE_ERRORS.globalQueueFull.code, 503);
      await context.settle();
      expect(log.events).toEqual([]);
      expect((await queue.snapshot()).queued).toEqual(before.queued);
    });
  });

  describe('when the queue is closing', () => {
    it('should refuse new jobs with 503 RUNLANE_ERR_QUEUE_SHUTTING_DOWN', async () => {
      const queue = await context.makeQueue();
      const closing = queue.close(0);
      await expectAppError(queue.enqueue(makeJob()), QUEUE_ERRORS.shuttingDown.code, 503);
      await closing;
      await expectAppError(queue.enqueue(makeJob()), QUEUE_ERRORS.shuttingDown.code, 503);
    });
  });
}
