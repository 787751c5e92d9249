// The JobQueue façade's close over a durable backend, and how service faults are described to users.
import { describe, expect, it } from 'vitest';
import { AppError, QUEUE_ERRORS } from '../errors/index.js';
import { FakeHandler, makeJob } from './conformance/harness.js';
import type { JobQueueLimits } from './job-queue.js';
import { MemoryQueueBackend } from './memory/memory-queue-backend.js';
import { describeFailure } from './queue-worker.js';
import { ScheduledJobQueue } from './scheduled-job-queue.js';

const limits: JobQueueLimits = { maxConcurrent: 1, maxQueued: 10, roomMaxRunning: 1, roomMaxQueued: 10, userMaxQueued: 10, userMaxRunning: 1, keyMaxQueued: 10 };

/** The memory backend posing as a durable one, recording what the worker gives back. */
class DurableBackend extends MemoryQueueBackend {
  override readonly durable = true;
  readonly released: string[] = [];

  override async release(jobId: string, leaseId: string): Promise<boolean> {
    this.released.push(jobId);
    return super.release(jobId, leaseId);
  }
}

describe('ScheduledJobQueue', () => {
  describe('when closed over a durable backend with jobs queued and one stuck running', () => {
    it('should hand the running job back to the backend and report nothing lost', async () => {
      const backend = new DurableBackend();
      const queue = new ScheduledJobQueue({ backend, limits });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const stuck = makeJob();
      await queue.enqueue(stuck);
      await queue.enqueue(makeJob());
      await handler.waitForCalls(1);
      const { unfinished } = await queue.close(10);
      expect(unfinished).toEqual([]);
      expect(backend.released).toEqual([stuck.id]);
      expect(handler.calls[0]!.signal.aborted).toBe(true);
    });
  });

  describe('when built producer-only', () => {
    it('should say it runs no jobs', async () => {
      const queue = new ScheduledJobQueue({ backend: new MemoryQueueBackend(), limits, workerSlots: 0 });
      expect(queue.runsJobs).toBe(false);
      expect(queue.positions).toBe('exact');
      await queue.close(0);
    });
  });
});

describe('describeFailure', () => {
  describe('when the service itself failed', () => {
    it('should give the code and keep the details for the log', () => {
      const message = describeFailure(new AppError(QUEUE_ERRORS.shuttingDown, 'secret /host/path'));
      expect(message).toContain(QUEUE_ERRORS.shuttingDown.code);
      expect(message).not.toContain('/host/path');
    });
  });

  describe('when given something that is not an Error', () => {
    it('should still say something', () => {
      expect(describeFailure(undefined)).toMatch(/unknown reason/);
      expect(describeFailure(new Error('boom'))).toBe('boom');
    });
  });
});
