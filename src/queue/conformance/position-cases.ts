// Conformance: positions in the projected order, snapshots, and coalesced `positions` events.
import { describe, expect, it } from 'vitest';
import type { JobQueue, PositionChange, QueuedJob } from '../job-queue.js';
import { EventLog, FakeHandler, makeJob, roomName, type ConformanceContext } from './harness.js';

async function enqueueAll(queue: JobQueue, jobs: QueuedJob[]): Promise<void> {
  for (const job of jobs) await queue.enqueue(job);
}

function byJob(changes: PositionChange[]): Record<string, number> {
  return Object.fromEntries(changes.map((change) => [change.jobId, change.position]));
}

export function positionCases(context: ConformanceContext): void {
  describe('when jobs are admitted', () => {
    it('should report the same position in the result, the queued event and get()', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      const room = roomName('r');
      const jobs = [makeJob({ roomId: room }), makeJob(), makeJob({ roomId: room })];
      const entries = [];
      for (const job of jobs) entries.push((await queue.enqueue(job)).entry);
      expect(entries.map((entry) => [entry.position, entry.roomPosition])).toEqual([[1, 1], [2, null], [3, 2]]);
      expect(log.ofType('queued').map((event) => event.entry.position)).toEqual([1, 2, 3]);
      for (const [index, job] of jobs.entries()) expect(await queue.get(job.id)).toEqual(entries[index]);
      expect(entries[0]).toMatchObject({ id: jobs[0]!.id, userId: jobs[0]!.user.userId, displayName: jobs[0]!.user.displayName, startedAt: null });
    });

    it('should list queued jobs in dispatch order in the snapshot, and running ones as active', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const room = roomName('r');
      const running = makeJob({ roomId: room, enqueuedAt: Date.now() - 5000 });
      const low = makeJob({ roomId: room, enqueuedAt: Date.now() - 3000 });
      const high = makeJob({ priority: 5 });
      await enqueueAll(queue, [running, low, high]);
      await handler.waitForCalls(1);
      const snapshot = await queue.snapshot();
      expect(snapshot.queued.map((entry) => [entry.id, entry.position])).toEqual([[high.id, 1], [low.id, 2]]);
      expect(snapshot.active.map((entry) => [entry.id, entry.position])).toEqual([[running.id, null]]);
      expect(snapshot.active[0]!.startedAt).toEqual(expect.any(Number));
      expect(snapshot).toMatchObject({ queueLength: 2, activeCount: 1, maxConcurrent: 1 });
      expect(snapshot.oldestQueuedAgeMs).toBeGreaterThanOrEqual(2900);
      const roomView = await queue.snapshot(room);
      expect(roomView.queued.map((entry) => [entry.id, entry.position, entry.roomPosition])).toEqual([[low.id, 2, 1]]);
      expect(roomView.active.map((entry) => entry.id)).toEqual([running.id]);
      expect(roomView).toMatchObject({ queueLength: 1, activeCount: 1 });
    });

    it('should report an empty queue with age 0', async () => {
      const queue = await context.makeQueue();
      expect(await queue.snapshot()).toMatchObject({ queued: [], active: [], queueLength: 0, activeCount: 0, oldestQueuedAgeMs: 0 });
    });
  });

  describe('when a queued job leaves', () => {
    it('should emit one positions event listing only the jobs behind it', async () => {
      const queue = await context.makeQueue();
      const room = roomName('r');
      const jobs = [makeJob(), makeJob({ roomId: room }), makeJob(), makeJob({ roomId: roomName('s') })];
      await enqueueAll(queue, jobs);
      const log = new EventLog(queue);
      await queue.cancel(jobs[1]!.id, jobs[1]!.user.userId);
      const [event] = await log.waitFor('positions');
      await context.settle();
      expect(log.ofType('positions')).toHaveLength(1);
      expect(event!.changes).toEqual(
        expect.arrayContaining([
          { jobId: jobs[2]!.id, roomId: null, userId: jobs[2]!.user.userId, position: 2, roomPosition: null },
          { jobId: jobs[3]!.id, roomId: jobs[3]!.roomId, userId: jobs[3]!.user.userId, position: 3, roomPosition: 1 },
        ]),
      );
      expect(event!.changes).toHaveLength(2);
    });

    it('should keep a room\'s turn when its first job leaves, so its next job takes the freed place', async () => {
      const queue = await context.makeQueue();
      const room = roomName('r');
      const jobs = [makeJob(), makeJob({ roomId: room }), makeJob(), makeJob({ roomId: room })];
      await enqueueAll(queue, jobs);
      expect((await queue.get(jobs[3]!.id))?.position).toBe(4);
      const log = new EventLog(queue);
      await queue.cancel(jobs[1]!.id, jobs[1]!.user.userId);
      const [event] = await log.waitFor('positions');
      expect(event!.changes).toEqual([{ jobId: jobs[3]!.id, roomId: room, userId: jobs[3]!.user.userId, position: 2, roomPosition: 1 }]);
    });

    it('should emit no positions event when the last job leaves', async () => {
      const queue = await context.makeQueue();
      const jobs = [makeJob(), makeJob()];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      await queue.cancel(jobs[1]!.id, jobs[1]!.user.userId);
      await context.settle();
      expect(log.ofType('positions')).toEqual([]);
    });

    it('should coalesce several moves in one tick into one event with the final positions', async () => {
      const queue = await context.makeQueue();
      const jobs = [makeJob(), makeJob(), makeJob(), makeJob()];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      await Promise.all([queue.cancel(jobs[0]!.id, jobs[0]!.user.userId), queue.cancel(jobs[1]!.id, jobs[1]!.user.userId)]);
      await log.waitFor('positions');
      await context.settle();
      expect(log.ofType('positions')).toHaveLength(1);
      expect(byJob(log.ofType('positions')[0]!.changes)).toEqual({ [jobs[2]!.id]: 1, [jobs[3]!.id]: 2 });
    });
  });

  describe('when a job starts', () => {
    it('should move everyone behind it up by one', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const jobs = [makeJob(), makeJob(), makeJob()];
      await enqueueAll(queue, jobs);
      await handler.waitForCalls(1);
      await context.settle();
      const log = new EventLog(queue);
      handler.complete(jobs[0]!.id);
      await handler.waitForCalls(2);
      await log.waitFor('positions');
      expect(byJob(log.ofType('positions').flatMap((event) => event.changes))).toEqual({ [jobs[2]!.id]: 1 });
      expect(await queue.get(jobs[1]!.id)).toMatchObject({ position: null, roomPosition: null, startedAt: expect.any(Number) });
    });
  });

  describe('when a higher-priority job arrives', () => {
    it('should put it first and move the others back', async () => {
      const queue = await context.makeQueue();
      const room = roomName('r');
      const jobs = [makeJob({ roomId: room }), makeJob()];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      const urgent = makeJob({ roomId: room, priority: 9 });
      const { entry } = await queue.enqueue(urgent);
      expect([entry.position, entry.roomPosition]).toEqual([1, 1]);
      const [event] = await log.waitFor('positions');
      expect(event!.changes).toEqual(
        expect.arrayContaining([
          { jobId: jobs[0]!.id, roomId: room, userId: jobs[0]!.user.userId, position: 2, roomPosition: 2 },
          { jobId: jobs[1]!.id, roomId: null, userId: jobs[1]!.user.userId, position: 3, roomPosition: null },
        ]),
      );
      expect(event!.changes.map((change) => change.jobId)).not.toContain(urgent.id);
    });

    it('should not report jobs whose position did not change', async () => {
      const queue = await context.makeQueue();
      const jobs = [makeJob({ priority: 5 }), makeJob({ priority: 1 })];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      await queue.enqueue(makeJob({ priority: 3 }));
      const [event] = await log.waitFor('positions');
      expect(byJob(event!.changes)).toEqual({ [jobs[1]!.id]: 3 });
    });
  });
}
