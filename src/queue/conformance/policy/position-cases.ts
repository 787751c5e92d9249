// Conformance: positions in the claim order, snapshots, and `positions` announcements (exact or estimated per backend).
import { describe, expect, it } from 'vitest';
import type { JobQueue, QueuedJob } from '../../job-queue.js';
import { announcedPositions, EventLog, expectPlace, FakeHandler, makeJob, roomName, waitUntil, type ConformanceContext } from '../harness.js';

async function enqueueAll(queue: JobQueue, jobs: QueuedJob[]): Promise<void> {
  for (const job of jobs) await queue.enqueue(job);
}

export function positionCases(context: ConformanceContext): void {
  /** Waits until the announcements match `expected` (exact backends) or every expected job was announced (estimates). */
  async function expectAnnounced(log: EventLog, expected: Record<string, number>): Promise<void> {
    const ids = Object.keys(expected);
    await waitUntil(() => ids.every((id) => id in announcedPositions(log)), `positions announced for ${ids.length} jobs`);
    await context.settle();
    const announced = announcedPositions(log);
    if (context.positions === 'exact') {
      expect(announced).toEqual(expected);
      return;
    }
    for (const id of ids) expectPlace(context, announced[id], expected[id]!);
  }

  describe('when jobs are admitted', () => {
    it('should report the same position in the result, the queued event and get()', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      const room = roomName('r');
      const jobs = [makeJob({ roomId: room }), makeJob(), makeJob({ roomId: room })];
      const entries = [];
      for (const job of jobs) entries.push((await queue.enqueue(job)).entry);
      const expected: Array<[number, number | null]> = [[1, 1], [2, null], [3, 2]];
      for (const [index, entry] of entries.entries()) {
        expectPlace(context, entry.position, expected[index]![0]);
        expectPlace(context, entry.roomPosition, expected[index]![1]);
      }
      expect(log.ofType('queued').map((event) => event.entry.position)).toEqual(entries.map((entry) => entry.position));
      for (const [index, job] of jobs.entries()) expect(await queue.get(job.id)).toEqual(entries[index]);
      expect(entries[0]).toMatchObject({ id: jobs[0]!.id, userId: jobs[0]!.user.userId, displayName: jobs[0]!.user.displayName, startedAt: null });
    });

    it('should list queued jobs in claim order in the snapshot, and running ones as active', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const room = roomName('r');
      const running = makeJob({ roomId: room, enqueuedAt: Date.now() - 5000 });
      const low = makeJob({ roomId: room, enqueuedAt: Date.now() - 3000 });
      const high = makeJob({ priority: 5 });
      await queue.enqueue(running);
      await handler.waitForCalls(1);
      await enqueueAll(queue, [low, high]);
      const snapshot = await queue.snapshot();
      expect(snapshot.queued.map((entry) => entry.id)).toEqual([high.id, low.id]);
      expectPlace(context, snapshot.queued[1]!.position, 2);
      expect(snapshot.active.map((entry) => [entry.id, entry.position])).toEqual([[running.id, null]]);
      expect(snapshot.active[0]!.startedAt).toEqual(expect.any(Number));
      expect(snapshot).toMatchObject({ queueLength: 2, activeCount: 1, maxConcurrent: 1 });
      expect(snapshot.oldestQueuedAgeMs).toBeGreaterThanOrEqual(2900);
      const roomView = await queue.snapshot(room);
      expect(roomView.queued.map((entry) => entry.id)).toEqual([low.id]);
      expectPlace(context, roomView.queued[0]!.roomPosition, 1);
      expect(roomView.active.map((entry) => entry.id)).toEqual([running.id]);
      expect(roomView).toMatchObject({ queueLength: 1, activeCount: 1 });
    });

    it('should report an empty queue with age 0', async () => {
      const queue = await context.makeQueue();
      expect(await queue.snapshot()).toMatchObject({ queued: [], active: [], queueLength: 0, activeCount: 0, oldestQueuedAgeMs: 0 });
    });
  });

  describe('when a queued job leaves', () => {
    it('should announce new places for the jobs behind it only', async () => {
      const queue = await context.makeQueue();
      const room = roomName('r');
      const jobs = [makeJob(), makeJob({ roomId: room }), makeJob(), makeJob({ roomId: roomName('s') })];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      await queue.cancel(jobs[1]!.id, jobs[1]!.user.userId);
      await expectAnnounced(log, { [jobs[2]!.id]: 2, [jobs[3]!.id]: 3 });
      const change = log.ofType('positions').flatMap((event) => event.changes).find((candidate) => candidate.jobId === jobs[3]!.id);
      expect(change).toMatchObject({ roomId: jobs[3]!.roomId, userId: jobs[3]!.user.userId });
      expectPlace(context, change!.roomPosition, 1);
    });

    it('should keep a room\'s turn when its first job leaves, so its next job takes the freed place', async () => {
      const queue = await context.makeQueue();
      const room = roomName('r');
      const jobs = [makeJob(), makeJob({ roomId: room }), makeJob(), makeJob({ roomId: room })];
      await enqueueAll(queue, jobs);
      expectPlace(context, (await queue.get(jobs[3]!.id))?.position, 4);
      await context.settle();
      const log = new EventLog(queue);
      await queue.cancel(jobs[1]!.id, jobs[1]!.user.userId);
      await expectAnnounced(log, { [jobs[3]!.id]: 2 });
    });

    it('should announce nothing when the last job leaves', async () => {
      const queue = await context.makeQueue();
      const jobs = [makeJob(), makeJob()];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      await queue.cancel(jobs[1]!.id, jobs[1]!.user.userId);
      await context.settle();
      expect(log.ofType('positions')).toEqual([]);
    });

    it('should end with the final places after several moves in a row', async () => {
      const queue = await context.makeQueue();
      const jobs = [makeJob(), makeJob(), makeJob(), makeJob()];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      await Promise.all([queue.cancel(jobs[0]!.id, jobs[0]!.user.userId), queue.cancel(jobs[1]!.id, jobs[1]!.user.userId)]);
      await expectAnnounced(log, { [jobs[2]!.id]: 1, [jobs[3]!.id]: 2 });
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
      await expectAnnounced(log, { [jobs[2]!.id]: 1 });
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
      expectPlace(context, entry.position, 1);
      expectPlace(context, entry.roomPosition, 1);
      await expectAnnounced(log, { [jobs[0]!.id]: 2, [jobs[1]!.id]: 3 });
      const roomChange = log.ofType('positions').flatMap((event) => event.changes).find((change) => change.jobId === jobs[0]!.id);
      expectPlace(context, roomChange!.roomPosition, 2);
    });

    it('should not announce jobs whose position did not change', async () => {
      const queue = await context.makeQueue();
      const jobs = [makeJob({ priority: 5 }), makeJob({ priority: 1 })];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      await queue.enqueue(makeJob({ priority: 3 }));
      await expectAnnounced(log, { [jobs[1]!.id]: 3 });
    });
  });

  describe('when jobs are behind the live window', () => {
    it('should place them exactly on get, list the window with the full count, and announce them once inside it', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 1 }, { livePositions: 3 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const running = makeJob();
      await queue.enqueue(running);
      await handler.waitForCalls(1);
      const jobs = [makeJob(), makeJob(), makeJob(), makeJob()];
      await enqueueAll(queue, jobs);
      // Behind every lane's first turn and far older than the rest: the oldest wait lies outside the window.
      const old = makeJob({ priority: 0, enqueuedAt: Date.now() - 5000 });
      await queue.enqueue(old);
      await context.settle();
      for (const [index, job] of jobs.entries()) expectPlace(context, (await queue.get(job.id))?.position, index + 1);
      expectPlace(context, (await queue.get(old.id))?.position, 5);
      const snapshot = await queue.snapshot();
      expect(snapshot.queued.map((entry) => entry.id)).toEqual(jobs.slice(0, 3).map((job) => job.id));
      expect(snapshot).toMatchObject({ queueLength: 5, activeCount: 1 });
      expect(snapshot.oldestQueuedAgeMs).toBeGreaterThanOrEqual(4900);
      const log = new EventLog(queue);
      handler.complete(running.id);
      await handler.waitForCalls(2);
      // jobs[3] moves from 4 to 3, into the window; the job at 4 after it is still behind and not announced.
      await expectAnnounced(log, { [jobs[1]!.id]: 1, [jobs[2]!.id]: 2, [jobs[3]!.id]: 3 });
      expectPlace(context, (await queue.get(old.id))?.position, 4);
    });

    it('should start announcing a job pushed out of the window again when it comes back in', async () => {
      const queue = await context.makeQueue({}, { livePositions: 2, workerSlots: 0 });
      const jobs = [makeJob(), makeJob()];
      await enqueueAll(queue, jobs);
      await context.settle();
      const log = new EventLog(queue);
      const urgent = makeJob({ priority: 9 });
      await queue.enqueue(urgent);
      // jobs[1] falls to 3, behind the window: nothing is said about it.
      await expectAnnounced(log, { [jobs[0]!.id]: 2 });
      const back = new EventLog(queue);
      await queue.cancel(urgent.id, urgent.user.userId);
      await expectAnnounced(back, { [jobs[0]!.id]: 1, [jobs[1]!.id]: 2 });
    });
  });
}
