// The memory backend against the backend contract and the scheduling-policy suites, plus what only MemoryJobQueue promises.
import { describe, expect, it } from 'vitest';
import { QUEUE_ERRORS } from '../../src/errors/index.js';
import { describeQueueBackendContract } from '../../src/queue/conformance/backend-contract.js';
import { describeSchedulingPolicyConformance, EventLog, FakeHandler, makeJob } from '../../src/queue/conformance/policy-conformance.js';
import type { JobQueueLimits, QueueEvent } from '../../src/queue/job-queue.js';
import { MemoryJobQueue } from '../../src/queue/memory/memory-job-queue.js';
import { MemoryQueueBackend } from '../../src/queue/memory/memory-queue-backend.js';

const limits: JobQueueLimits = { maxConcurrent: 1, maxQueued: 100, roomMaxRunning: 3, roomMaxQueued: 2, userMaxQueued: 100, userMaxRunning: 100, keyMaxQueued: 100 };

describeQueueBackendContract('MemoryQueueBackend', async () => new MemoryQueueBackend());
describeSchedulingPolicyConformance('MemoryQueueBackend', async () => new MemoryQueueBackend());

describe('MemoryJobQueue', () => {
  describe('when a listener throws', () => {
    it('should hand the error and the event to onListenerError', async () => {
      const reported: Array<{ error: unknown; event: QueueEvent['type'] }> = [];
      const queue = new MemoryJobQueue({ limits, onListenerError: (error, event) => reported.push({ error, event: event.type }) });
      queue.subscribe(() => {
        throw new Error('boom');
      });
      await queue.enqueue(makeJob());
      expect(reported).toEqual([{ error: new Error('boom'), event: 'queued' }]);
      await queue.close(0);
    });

    it('should log through the logger when no handler is given', async () => {
      const logged: unknown[] = [];
      const logger = { error: (...args: unknown[]) => logged.push(args), warn: () => undefined };
      const queue = new MemoryJobQueue({ limits, logger: logger as never });
      queue.subscribe(() => {
        throw new Error('boom');
      });
      await queue.enqueue(makeJob());
      expect(logged).toHaveLength(1);
      await queue.close(0);
    });
  });

  describe('when estimating Retry-After', () => {
    it('should use the room\'s recent run durations', async () => {
      let now = 1_000_000;
      const queue = new MemoryJobQueue({ limits, now: () => now, assumedRunDurationMs: 1000 });
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const room = 'slow-room';
      for (let index = 0; index < 3; index += 1) {
        const job = makeJob({ roomId: room });
        await queue.enqueue(job);
        await handler.waitForCalls(index + 1);
        now += 30_000;
        handler.complete(job.id);
        await log.waitFor('completed', index + 1);
      }
      await queue.enqueue(makeJob({ roomId: room }));
      await queue.enqueue(makeJob({ roomId: room }));
      await queue.enqueue(makeJob({ roomId: room }));
      const refused = await queue.enqueue(makeJob({ roomId: room })).catch((error: unknown) => error as { code: string; retryAfterSeconds: number });
      // 30 s runs, one room job at a time (maxConcurrent 1): a place frees in about 30 s.
      expect(refused).toMatchObject({ code: QUEUE_ERRORS.roomQueueFull.code, retryAfterSeconds: 30 });
      await queue.close(0);
    });

    it('should fall back to the assumed duration before any run finished', async () => {
      const queue = new MemoryJobQueue({ limits: { ...limits, maxQueued: 1 }, assumedRunDurationMs: 7000 });
      await queue.enqueue(makeJob());
      const refused = await queue.enqueue(makeJob()).catch((error: unknown) => error as { retryAfterSeconds: number });
      expect(refused).toMatchObject({ code: QUEUE_ERRORS.globalQueueFull.code, retryAfterSeconds: 7 });
      await queue.close(0);
    });
  });

  describe('when misused', () => {
    it('should refuse a job id that is already queued with 409', async () => {
      const queue = new MemoryJobQueue({ limits });
      const job = makeJob();
      await queue.enqueue(job);
      await expect(queue.enqueue(job)).rejects.toMatchObject({ code: QUEUE_ERRORS.duplicateId.code, statusCode: 409 });
      await queue.close(0);
    });

    it('should refuse a second handler', () => {
      const queue = new MemoryJobQueue({ limits });
      queue.process(new FakeHandler().handler);
      expect(() => queue.process(new FakeHandler().handler)).toThrow(/only once/);
    });

    it('should refuse limits that are not positive integers, naming the field', () => {
      expect(() => new MemoryJobQueue({ limits: { ...limits, roomMaxQueued: 0 } })).toThrow(/limits\.roomMaxQueued/);
    });
  });

  describe('when asked for a room snapshot', () => {
    it('should report the room\'s running cap as maxConcurrent and the age of its oldest job', async () => {
      const now = 5_000_000;
      const queue = new MemoryJobQueue({ limits: { ...limits, maxConcurrent: 8 }, now: () => now });
      await queue.enqueue(makeJob({ roomId: 'r', enqueuedAt: now - 1234 }));
      expect(await queue.snapshot('r')).toMatchObject({ maxConcurrent: 3, queueLength: 1, oldestQueuedAgeMs: 1234 });
      expect(await queue.snapshot('elsewhere')).toMatchObject({ queueLength: 0, oldestQueuedAgeMs: 0 });
      await queue.close(0);
    });
  });
});
