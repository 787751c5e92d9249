// Conformance: concurrency caps, priority order, FIFO, round-robin fairness across rooms, handler outcomes.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../../../domain/result.js';
import type { QueuedJob } from '../../job-queue.js';
import { EventLog, FakeHandler, makeJob, resultFor, roomName, waitUntil, type ConformanceContext } from '../harness.js';

export function dispatchCases(context: ConformanceContext): void {
  describe('when more jobs are queued than may run', () => {
    it('should run at most maxConcurrent at once and start the next as one finishes', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 2 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const jobs = [makeJob(), makeJob(), makeJob()];
      for (const job of jobs) await queue.enqueue(job);
      await handler.waitForCalls(2);
      await context.settle();
      expect(handler.calls).toHaveLength(2);
      expect((await queue.snapshot()).activeCount).toBe(2);
      handler.complete(jobs[0]!.id);
      await handler.waitForCalls(3);
    });

    it('should hand the handler the job and a live AbortSignal', async () => {
      const queue = await context.makeQueue();
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob({ roomId: roomName('r') });
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      expect(handler.calls[0]!.job).toMatchObject({ id: job.id, correlationId: job.correlationId, roomId: job.roomId, user: job.user });
      expect(handler.calls[0]!.signal.aborted).toBe(false);
    });
  });

  describe('when jobs have different priorities', () => {
    it('should run higher priority first and keep FIFO within a level', async () => {
      const queue = await context.makeQueue();
      const low1 = makeJob({ roomId: roomName('a'), priority: 1 });
      const low2 = makeJob({ priority: 1 });
      const high = makeJob({ roomId: roomName('c'), priority: 12 });
      const mid1 = makeJob({ priority: 2 });
      const mid2 = makeJob({ roomId: roomName('e'), priority: 2 });
      for (const job of [low1, low2, high, mid1, mid2]) await queue.enqueue(job);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      expect(await handler.runOneByOne(5)).toEqual([high, mid1, mid2, low1, low2].map((job) => job.id));
    });
  });

  describe('when jobs of one priority come from different rooms and users', () => {
    it('should run them first in, first out', async () => {
      const queue = await context.makeQueue();
      const jobs = [makeJob({ roomId: roomName('a') }), makeJob(), makeJob({ roomId: roomName('b') }), makeJob(), makeJob({ roomId: roomName('c') })];
      for (const job of jobs) await queue.enqueue(job);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      expect(await handler.runOneByOne(jobs.length)).toEqual(jobs.map((job) => job.id));
    });
  });

  describe('when one room floods the queue', () => {
    it('should delay another room\'s single job by at most one slot', async () => {
      const queue = await context.makeQueue({ roomMaxQueued: 10 });
      const flood = roomName('flood');
      const flooding: QueuedJob[] = [];
      for (let index = 0; index < 10; index += 1) flooding.push(makeJob({ roomId: flood }));
      for (const job of flooding) await queue.enqueue(job);
      const single = makeJob({ roomId: roomName('quiet') });
      const { entry } = await queue.enqueue(single);
      expect(entry.position).toBe(2);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      expect((await handler.runOneByOne(2))[1]).toBe(single.id);
    });

    it('should do the same while the flooding room is already running', async () => {
      const queue = await context.makeQueue({ roomMaxQueued: 10 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const flood = roomName('flood');
      for (let index = 0; index < 10; index += 1) await queue.enqueue(makeJob({ roomId: flood }));
      const single = makeJob({ roomId: roomName('quiet') });
      await queue.enqueue(single);
      // One flooding job holds the slot; at most one more may go before the quiet room's job.
      const order = await handler.runOneByOne(3);
      expect(order.indexOf(single.id)).toBeGreaterThan(0);
      expect(order.indexOf(single.id)).toBeLessThanOrEqual(2);
    });

    it('should alternate between two busy rooms', async () => {
      const queue = await context.makeQueue();
      const roomA = roomName('a');
      const roomB = roomName('b');
      const a = [makeJob({ roomId: roomA }), makeJob({ roomId: roomA }), makeJob({ roomId: roomA })];
      const b = [makeJob({ roomId: roomB }), makeJob({ roomId: roomB }), makeJob({ roomId: roomB })];
      for (const job of [...a, ...b]) await queue.enqueue(job);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      expect(await handler.runOneByOne(6)).toEqual([a[0], b[0], a[1], b[1], a[2], b[2]].map((job) => job!.id));
    });
  });

  describe('when one user floods the queue without a room', () => {
    it('should delay another user\'s job by at most one slot', async () => {
      const queue = await context.makeQueue();
      for (let index = 0; index < 10; index += 1) await queue.enqueue(makeJob({ userId: 'flooder' }));
      const single = makeJob({ userId: 'patient' });
      await queue.enqueue(single);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      expect((await handler.runOneByOne(2))[1]).toBe(single.id);
    });
  });

  describe('when one user floods the queue up to their cap and holds the slots', () => {
    it('should start another user\'s job before the rest of the flood', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 2, userMaxQueued: 5 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const flood: QueuedJob[] = [];
      for (let index = 0; index < 7; index += 1) flood.push(makeJob({ userId: 'flooder' }));
      for (const job of flood) await queue.enqueue(job);
      await handler.waitForCalls(2);
      const single = makeJob({ userId: 'patient' });
      const { entry } = await queue.enqueue(single);
      // A new lane joins the rotation at the back: at most one more of the flood goes first, not the other four.
      expect(entry.position).toBe(2);
      handler.complete(flood[0]!.id);
      handler.complete(flood[1]!.id);
      await handler.waitForCalls(4);
      expect(handler.startedIds.slice(2, 4)).toContain(single.id);
    });
  });

  describe('when a user is alone on the queue (work-conserving userMaxRunning)', () => {
    it('should let them use every free slot up to maxConcurrent', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 3, userMaxRunning: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const mine = [makeJob({ userId: 'ada' }), makeJob({ userId: 'ada', roomId: roomName('r') }), makeJob({ userId: 'ada' }), makeJob({ userId: 'ada' })];
      for (const job of mine) await queue.enqueue(job);
      await handler.waitForCalls(3);
      await context.settle();
      expect(handler.calls).toHaveLength(3);
      expect((await queue.snapshot()).queueLength).toBe(1);
    });
  });

  describe('when a user at userMaxRunning and another user both wait', () => {
    it('should give the freed slot to the other user, then to the first user when nobody else waits', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 2, userMaxRunning: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const mine = [makeJob({ userId: 'ada' }), makeJob({ userId: 'ada' }), makeJob({ userId: 'ada' })];
      for (const job of mine) await queue.enqueue(job);
      // Nobody else waits: both slots go to ada although her cap is 1.
      await handler.waitForCalls(2);
      const other = makeJob({ userId: 'grace' });
      await queue.enqueue(other);
      await context.settle();
      expect(handler.calls).toHaveLength(2);
      handler.complete(mine[0]!.id);
      await handler.waitForCalls(3);
      // ada's third job was first in line, but she is at her cap while grace's job can start.
      expect(handler.startedIds[2]).toBe(other.id);
      handler.complete(other.id);
      await handler.waitForCalls(4);
      expect(handler.startedIds[3]).toBe(mine[2]!.id);
    });

    it('should pass over the capped user without blocking users behind in the rotation', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 3, userMaxRunning: 1 });
      const first = makeJob({ userId: 'ada' });
      const second = makeJob({ userId: 'ada' });
      const other = makeJob({ userId: 'grace', roomId: roomName('shared') });
      for (const job of [first, second, other]) await queue.enqueue(job);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      await handler.waitForCalls(3);
      expect(handler.startedIds).toEqual([first.id, other.id, second.id]);
    });
  });

  describe('when the only other waiting job is held back by its room cap', () => {
    it('should let a user at userMaxRunning take the spare slot, and never break the room cap', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 3, roomMaxRunning: 1, userMaxRunning: 1 });
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const room = roomName('one-at-a-time');
      const inRoom = makeJob({ userId: 'ada', roomId: room });
      await queue.enqueue(inRoom);
      await handler.waitForCalls(1);
      const blocked = makeJob({ userId: 'grace', roomId: room });
      const spare = makeJob({ userId: 'ada' });
      await queue.enqueue(blocked);
      await queue.enqueue(spare);
      await handler.waitForCalls(2);
      await context.settle();
      expect(handler.startedIds).toEqual([inRoom.id, spare.id]);
      handler.complete(inRoom.id);
      await handler.waitForCalls(3);
      expect(handler.startedIds[2]).toBe(blocked.id);
    });
  });

  describe('when a room reaches roomMaxRunning', () => {
    it('should skip that room without blocking others, and resume it when a run finishes', async () => {
      const queue = await context.makeQueue({ maxConcurrent: 4, roomMaxRunning: 2 });
      const busy = roomName('busy');
      const a = [makeJob({ roomId: busy }), makeJob({ roomId: busy }), makeJob({ roomId: busy })];
      const other = makeJob({ roomId: roomName('other') });
      for (const job of [...a, other]) await queue.enqueue(job);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      await handler.waitForCalls(3);
      await context.settle();
      expect(new Set(handler.startedIds)).toEqual(new Set([a[0]!.id, a[1]!.id, other.id]));
      handler.complete(a[0]!.id);
      await handler.waitForCalls(4);
      expect(handler.startedIds[3]).toBe(a[2]!.id);
    });
  });

  describe('when the handler rejects', () => {
    it('should emit failed with the message and go on with the next job', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const room = roomName('r');
      const broken = makeJob({ roomId: room, userId: 'ada' });
      const next = makeJob();
      await queue.enqueue(broken);
      await queue.enqueue(next);
      await handler.waitForCalls(1);
      handler.fail(broken.id, new Error('sandbox exploded'));
      const [failed] = await log.waitFor('failed');
      expect(failed).toMatchObject({ entry: { id: broken.id }, error: expect.stringContaining('sandbox exploded') });
      expect(typeof failed!.finishedAt).toBe('number');
      await handler.waitForCalls(2);
      expect(handler.startedIds[1]).toBe(next.id);
      await queue.enqueue(makeJob({ roomId: room, userId: 'ada' }));
    });

    it('should treat a handler that throws synchronously as failed', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      queue.process(() => {
        throw new Error('thrown at once');
      });
      await queue.enqueue(makeJob());
      const [failed] = await log.waitFor('failed');
      expect(failed!.error).toContain('thrown at once');
    });
  });

  describe('when a job completes', () => {
    it('should emit queued, started, completed with the handler\'s own result', async () => {
      const queue = await context.makeQueue();
      const log = new EventLog(queue);
      const handler = new FakeHandler();
      queue.process(handler.handler);
      const job = makeJob({ roomId: roomName('r') });
      await queue.enqueue(job);
      await handler.waitForCalls(1);
      handler.complete(job.id);
      const [completed] = await log.waitFor('completed');
      expect(completed!.result).toEqual(resultFor(job.id));
      expect(completed!.entry).toMatchObject({ id: job.id, userId: job.user.userId, position: null });
      expect(typeof completed!.entry.startedAt).toBe('number');
      expect(log.typesFor(job.id)).toEqual(['queued', 'started', 'completed']);
      expect(await queue.get(job.id)).toBeNull();
    });
  });

  describe('when 1000 jobs from many rooms and users go through', () => {
    it('should complete each exactly once with its own result, within every running cap', async () => {
      const limits = { maxConcurrent: 8, maxQueued: 2000, roomMaxRunning: 3, roomMaxQueued: 100 };
      const queue = await context.makeQueue(limits);
      const log = new EventLog(queue);
      const rooms = Array.from({ length: 20 }, (_, index) => roomName(`room${index}`));
      const calls = new Map<string, number>();
      const roomRunning = new Map<string, number>();
      let running = 0;
      let peak = 0;
      let roomPeak = 0;
      queue.process(async (job) => {
        calls.set(job.id, (calls.get(job.id) ?? 0) + 1);
        running += 1;
        peak = Math.max(peak, running);
        const room = job.roomId ?? '';
        if (job.roomId !== null) roomRunning.set(room, (roomRunning.get(room) ?? 0) + 1);
        roomPeak = Math.max(roomPeak, roomRunning.get(room) ?? 0);
        // A few turns of the event loop, different per job, so runs overlap and finish out of order.
        for (let turn = 0; turn < job.id.charCodeAt(0) % 4; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        running -= 1;
        if (job.roomId !== null) roomRunning.set(room, roomRunning.get(room)! - 1);
        return resultFor(job.id) satisfies ExecutionResult;
      });
      const ids: string[] = [];
      for (let index = 0; index < 1000; index += 1) {
        const job = makeJob({ roomId: index % 5 === 0 ? null : rooms[index % rooms.length]!, userId: `user${index}`, priority: 1 + (index % 3) });
        ids.push(job.id);
        await queue.enqueue(job);
      }
      await waitUntil(() => log.ofType('completed').length >= 1000, '1000 completed events', 30_000);
      await context.settle();
      const completed = log.ofType('completed');
      expect(completed).toHaveLength(1000);
      expect(new Set(completed.map((event) => event.entry.id))).toEqual(new Set(ids));
      for (const event of completed) expect(event.result.stdout).toBe(`${event.entry.id}\n`);
      expect([...calls.values()].every((count) => count === 1)).toBe(true);
      expect(calls.size).toBe(1000);
      expect(peak).toBeLessThanOrEqual(limits.maxConcurrent);
      expect(roomPeak).toBeLessThanOrEqual(limits.roomMaxRunning);
      expect(log.ofType('failed')).toEqual([]);
      const snapshot = await queue.snapshot();
      expect({ queueLength: snapshot.queueLength, activeCount: snapshot.activeCount }).toEqual({ queueLength: 0, activeCount: 0 });
    });
  });
}
