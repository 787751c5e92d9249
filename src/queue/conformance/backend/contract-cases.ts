// Contract rows every QueueBackend passes: add, admission view, claim order and predicate, leases, complete, fail, remove, counts, list, events.
import { describe, expect, it } from 'vitest';
import { AppError, QUEUE_ERRORS } from '../../../errors/index.js';
import type { AdmissionView, BackendEvent, BackendJobSpec, ClaimDecision, ClaimPredicate, QueueBackend } from '../../backend.js';
import { laneOf } from '../../policy/scheduling-policy.js';
import { expectAppError, makeJob, resultFor, roomName, waitUntil, type JobSpec } from '../harness.js';

/** What the contract rows are given. */
export interface BackendContext {
  /** A fresh, empty backend; closed after the test. */
  makeBackend(): Promise<QueueBackend>;
  /** A lease short enough to watch expire in a test, ms. */
  shortLeaseMs: number;
}

const LONG_LEASE_MS = 60_000;
const admitAll = (): null => null;
const takeAll: ClaimPredicate = () => 'take';
/** Caps as data for backends that apply them themselves; the rows steer claims through `mayStart` only. */
const UNCAPPED = { maxRunning: 1_000_000, roomMaxRunning: 1_000_000, userMaxRunning: 1_000_000 };

function spec(jobSpec: JobSpec = {}): BackendJobSpec {
  const job = makeJob(jobSpec);
  return { id: job.id, priority: job.priority, lane: laneOf(job), roomId: job.roomId, userId: job.user.userId, keyId: job.user.keyId ?? null, enqueuedAt: job.enqueuedAt, data: job };
}

function claimWith(backend: QueueBackend, mayStart: ClaimPredicate = takeAll, leaseMs = LONG_LEASE_MS) {
  return backend.claim({ workerId: 'contract-worker', leaseMs, mayStart, caps: UNCAPPED });
}

async function claimAllIds(backend: QueueBackend, mayStart: ClaimPredicate = takeAll): Promise<string[]> {
  const ids: string[] = [];
  for (let claimed = await claimWith(backend, mayStart); claimed !== null; claimed = await claimWith(backend, mayStart)) ids.push(claimed.job.id);
  return ids;
}

function recordEvents(backend: QueueBackend): BackendEvent[] {
  const events: BackendEvent[] = [];
  backend.subscribe((event) => events.push(event));
  return events;
}

export function contractCases(context: BackendContext): void {
  describe('when a job is added', () => {
    it('should hold it queued with its place, count it, list it and report it', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const room = roomName('r');
      const first = spec({ roomId: room });
      const { job, place } = await backend.add(first, admitAll);
      expect(job).toMatchObject({ id: first.id, state: 'queued', startedAt: null, attempts: 0, data: first.data });
      expect(place).toEqual({ position: 1, roomPosition: 1 });
      expect(await backend.get(first.id)).toMatchObject({ job: { id: first.id, state: 'queued' }, place: { position: 1 } });
      expect(await backend.counts()).toEqual({ queued: 1, active: 0 });
      expect((await backend.list()).queued.map((entry) => entry.job.id)).toEqual([first.id]);
      expect(events).toMatchObject([{ type: 'added', job: { id: first.id } }]);
    });

    it('should refuse an id it already holds with 409 RUNLANE_ERR_QUEUE_DUPLICATE_ID', async () => {
      const backend = await context.makeBackend();
      const job = spec();
      await backend.add(job, admitAll);
      await expectAppError(backend.add(job, admitAll), QUEUE_ERRORS.duplicateId.code, 409);
    });

    it('should store nothing and report nothing when the admission check refuses', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const refusal = new AppError(QUEUE_ERRORS.globalQueueFull, 'full');
      await expect(backend.add(spec(), () => refusal)).rejects.toBe(refusal);
      expect(await backend.counts()).toEqual({ queued: 0, active: 0 });
      expect(events).toEqual([]);
    });

    it('should show the admission check the queued counts of the job\'s room, user and key, and the user\'s job in the room', async () => {
      const backend = await context.makeBackend();
      const room = roomName('r');
      const keyId = `key-${Math.random()}`;
      await backend.add(spec({ roomId: room, userId: 'ada', keyId }), admitAll);
      await backend.add(spec({ userId: 'ada' }), admitAll);
      await backend.add(spec({ roomId: room, userId: 'bob' }), admitAll);
      await backend.add(spec({ userId: 'carol', keyId }), admitAll);
      let seen: AdmissionView | null = null;
      const refusal = new Error('just looking');
      const look = (view: AdmissionView): Error => {
        seen = view;
        return refusal;
      };
      await expect(backend.add(spec({ roomId: room, userId: 'ada', keyId }), look)).rejects.toBe(refusal);
      expect(seen).toEqual({ queued: 4, roomQueued: 2, userQueued: 2, keyQueued: 2, userJobInRoom: { startedAt: null, roomPosition: 1 } });
      await claimWith(backend);
      await expect(backend.add(spec({ roomId: room, userId: 'ada' }), look)).rejects.toBe(refusal);
      expect(seen).toMatchObject({ queued: 3, roomQueued: 1, userQueued: 1, userJobInRoom: { startedAt: expect.any(Number), roomPosition: null } });
    });
  });

  describe('when only the head of the queue is read', () => {
    it('should list the first jobs with their places, count the rest and keep the oldest wait of all', async () => {
      const backend = await context.makeBackend();
      const roomA = roomName('a');
      const roomB = roomName('b');
      // A long lane, so a limited read must not walk all of it; the low-priority job is the oldest, at the very end.
      const longLane = Array.from({ length: 40 }, () => spec({ roomId: roomA }));
      const b1 = spec({ roomId: roomB });
      const low = spec({ priority: 0, enqueuedAt: Date.now() - 60_000 });
      for (const job of [...longLane, b1, low]) await backend.add(job, admitAll);
      const full = await backend.list();
      expect(full.queuedTotal).toBe(42);
      const head = await backend.list(null, { limit: 3 });
      expect(head.queued.map((entry) => [entry.job.id, entry.place])).toEqual(full.queued.slice(0, 3).map((entry) => [entry.job.id, entry.place]));
      expect(head.queued.map((entry) => entry.job.id)).toEqual([longLane[0]!.id, b1.id, longLane[1]!.id]);
      expect(head).toMatchObject({ queuedTotal: 42, oldestEnqueuedAt: low.enqueuedAt });
      const room = await backend.list(roomA, { limit: 2 });
      expect(room.queued.map((entry) => [entry.job.id, entry.place.roomPosition])).toEqual([[longLane[0]!.id, 1], [longLane[1]!.id, 2]]);
      expect(room).toMatchObject({ queuedTotal: 40, oldestEnqueuedAt: longLane[0]!.enqueuedAt });
      const placed = await backend.places(4);
      expect(placed).toEqual(full.queued.slice(0, 4).map(({ job, place }) => ({ job: { id: job.id, roomId: job.roomId, userId: job.userId }, place })));
      expect(await backend.places(0)).toEqual([]);
      expect(await backend.places(100)).toHaveLength(42);
    });

    it('should report nothing queued as a total of 0 and no oldest wait', async () => {
      const backend = await context.makeBackend();
      expect(await backend.list(null, { limit: 5 })).toEqual({ queued: [], active: [], queuedTotal: 0, oldestEnqueuedAt: null });
    });
  });

  describe('when jobs are claimed', () => {
    it('should take higher priority first, lanes in turn within a priority, FIFO within a lane', async () => {
      const backend = await context.makeBackend();
      const roomA = roomName('a');
      const roomB = roomName('b');
      const a1 = spec({ roomId: roomA });
      const a2 = spec({ roomId: roomA });
      const b1 = spec({ roomId: roomB });
      const urgent = spec({ priority: 9 });
      const low = spec({ priority: 0 });
      for (const job of [a1, a2, b1, urgent, low]) await backend.add(job, admitAll);
      expect((await backend.list()).queued.map((entry) => [entry.job.id, entry.place.position])).toEqual([[urgent.id, 1], [a1.id, 2], [b1.id, 3], [a2.id, 4], [low.id, 5]]);
      expect(await claimAllIds(backend)).toEqual([urgent.id, a1.id, b1.id, a2.id, low.id]);
    });

    it('should mark the job active under a lease, and show the predicate what runs', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const room = roomName('r');
      const first = spec({ roomId: room, userId: 'ada' });
      const second = spec({ roomId: roomName('s'), userId: 'ada' });
      await backend.add(first, admitAll);
      await backend.add(second, admitAll);
      const claimed = await claimWith(backend);
      expect(claimed).toMatchObject({ job: { id: first.id, state: 'active', startedAt: expect.any(Number), attempts: 1 }, lease: { leaseId: expect.any(String), expiresAt: expect.any(Number) } });
      const seen: Array<[number, number, number]> = [];
      await claimWith(backend, (candidate, running) => {
        seen.push([running.total, running.inRoom(room), running.ofUser(candidate.userId)]);
        return 'skip';
      });
      expect(seen).toEqual([[1, 1, 1]]);
      expect(await backend.counts()).toEqual({ queued: 1, active: 1 });
      expect((await backend.list()).active.map((job) => job.id)).toEqual([first.id]);
      expect(events.map((event) => event.type)).toEqual(['added', 'added', 'claimed']);
    });

    it('should return null when nothing is queued or the predicate skips everything, keeping skipped lanes\' turn', async () => {
      const backend = await context.makeBackend();
      expect(await claimWith(backend)).toBeNull();
      const skipped = spec({ userId: 'ada' });
      const other = spec({ userId: 'bob' });
      await backend.add(skipped, admitAll);
      await backend.add(other, admitAll);
      expect(await claimWith(backend, () => 'skip')).toBeNull();
      expect((await claimWith(backend, (candidate) => (candidate.userId === 'ada' ? 'skip' : 'take')))?.job.id).toBe(other.id);
      const third = spec({ userId: 'carol' });
      await backend.add(third, admitAll);
      // ada's lane kept its turn: it goes before carol's, which joined later.
      expect(await claimAllIds(backend)).toEqual([skipped.id, third.id]);
    });

    it('should take a spare candidate only when no candidate is take', async () => {
      const backend = await context.makeBackend();
      const spare = spec({ userId: 'ada' });
      const taken = spec({ userId: 'bob' });
      await backend.add(spare, admitAll);
      await backend.add(taken, admitAll);
      const decide: ClaimPredicate = (candidate): ClaimDecision => (candidate.userId === 'ada' ? 'spare' : 'take');
      expect(await claimAllIds(backend, decide)).toEqual([taken.id, spare.id]);
    });
  });

  describe('when a worker claims with its languages', () => {
    it('should take only jobs in them, in the usual order among them, and leave the rest queued', async () => {
      const backend = await context.makeBackend();
      const inLanguage = (language: string, jobSpec: JobSpec): BackendJobSpec => {
        const made = spec(jobSpec);
        return { ...made, data: { ...made.data, language, request: { ...made.data.request, language } } };
      };
      const room = roomName('mixed');
      const other = roomName('other');
      // One room's lane: c, python, c, python; another room: python. A python worker takes the lane's first python job
      // (past the c one), then the other room's (the lanes take turns), then the lane's next python job.
      const jobs = [inLanguage('c', { roomId: room }), inLanguage('python', { roomId: room }), inLanguage('c', { roomId: room }), inLanguage('python', { roomId: room }), inLanguage('python', { roomId: other })];
      for (const job of jobs) await backend.add(job, admitAll);
      const claimAs = async (languages: string[]) => (await backend.claim({ workerId: 'contract-worker', leaseMs: LONG_LEASE_MS, mayStart: takeAll, caps: UNCAPPED, languages }))?.job.id ?? null;
      const python = [await claimAs(['python']), await claimAs(['python']), await claimAs(['python']), await claimAs(['python'])];
      expect(python).toEqual([jobs[1]!.id, jobs[4]!.id, jobs[3]!.id, null]);
      expect(await backend.counts()).toEqual({ queued: 2, active: 3 });
      expect([await claimAs(['c', 'go']), await claimAs(['c']), await claimAs(['c'])]).toEqual([jobs[0]!.id, jobs[2]!.id, null]);
    });

    it('should let a worker of any language take each lane\'s head as before', async () => {
      const backend = await context.makeBackend();
      const first = spec();
      await backend.add(first, admitAll);
      await backend.add(spec({ userId: first.userId }), admitAll);
      expect((await backend.claim({ workerId: 'contract-worker', leaseMs: LONG_LEASE_MS, mayStart: takeAll, caps: UNCAPPED, languages: null }))?.job.id).toBe(first.id);
    });
  });

  describe('when a claimed job ends', () => {
    it('should complete it under its lease with the result, and forget it', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const job = spec();
      await backend.add(job, admitAll);
      const claimed = (await claimWith(backend))!;
      expect(await backend.complete(job.id, 'not-the-lease', resultFor(job.id))).toBe(false);
      expect(await backend.complete(job.id, claimed.lease.leaseId, resultFor(job.id))).toBe(true);
      expect(await backend.complete(job.id, claimed.lease.leaseId, resultFor(job.id))).toBe(false);
      expect(await backend.get(job.id)).toBeNull();
      expect(await backend.counts()).toEqual({ queued: 0, active: 0 });
      expect(events.filter((event) => event.type === 'completed')).toMatchObject([{ job: { id: job.id }, result: resultFor(job.id), finishedAt: expect.any(Number) }]);
    });

    it('should fail it under its lease with the message', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const job = spec();
      await backend.add(job, admitAll);
      const claimed = (await claimWith(backend))!;
      expect(await backend.fail(job.id, claimed.lease.leaseId, 'sandbox missing')).toBe(true);
      expect(await backend.get(job.id)).toBeNull();
      expect(events.filter((event) => event.type === 'failed')).toMatchObject([{ job: { id: job.id }, error: 'sandbox missing' }]);
    });

    it('should take a released job back at the head of its lane', async () => {
      const backend = await context.makeBackend();
      const room = roomName('r');
      const first = spec({ roomId: room });
      const second = spec({ roomId: room });
      await backend.add(first, admitAll);
      await backend.add(second, admitAll);
      const claimed = (await claimWith(backend))!;
      expect(await backend.release(first.id, claimed.lease.leaseId)).toBe(true);
      expect(await backend.complete(first.id, claimed.lease.leaseId, resultFor(first.id))).toBe(false);
      expect(await backend.counts()).toEqual({ queued: 2, active: 0 });
      expect(await claimAllIds(backend)).toEqual([first.id, second.id]);
    });
  });

  describe('when a lease is not renewed', () => {
    it('should queue the job again at the head of its lane, void the old lease, and report it expired', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const room = roomName('r');
      const job = spec({ roomId: room });
      const behind = spec({ roomId: room });
      await backend.add(job, admitAll);
      await backend.add(behind, admitAll);
      const claimed = (await claimWith(backend, takeAll, context.shortLeaseMs))!;
      await waitUntil(() => events.some((event) => event.type === 'expired'), 'the lease to expire');
      expect(await backend.get(job.id)).toMatchObject({ job: { state: 'queued' }, place: { position: 1 } });
      expect(await backend.complete(job.id, claimed.lease.leaseId, resultFor(job.id))).toBe(false);
      expect(await backend.extendLease(job.id, claimed.lease.leaseId, LONG_LEASE_MS)).toBe(false);
      const again = (await claimWith(backend))!;
      expect(again.job).toMatchObject({ id: job.id, attempts: 2 });
      expect(again.lease.leaseId).not.toBe(claimed.lease.leaseId);
      expect(await backend.complete(job.id, again.lease.leaseId, resultFor(job.id))).toBe(true);
    });

    it('should keep the job active while the lease is extended', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const job = spec();
      await backend.add(job, admitAll);
      const claimed = (await claimWith(backend, takeAll, context.shortLeaseMs))!;
      expect(await backend.extendLease(job.id, 'not-the-lease', LONG_LEASE_MS)).toBe(false);
      expect(await backend.extendLease(job.id, claimed.lease.leaseId, LONG_LEASE_MS)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, context.shortLeaseMs * 3));
      expect(events.map((event) => event.type)).not.toContain('expired');
      expect(await backend.get(job.id)).toMatchObject({ job: { state: 'active' } });
    });
  });

  describe('when a job is removed', () => {
    it('should remove a queued job and report who removed it', async () => {
      const backend = await context.makeBackend();
      const events = recordEvents(backend);
      const job = spec();
      await backend.add(job, admitAll);
      expect(await backend.remove(job.id, 'teacher')).toMatchObject({ removed: { id: job.id } });
      expect(await backend.counts()).toEqual({ queued: 0, active: 0 });
      expect(events.filter((event) => event.type === 'removed')).toMatchObject([{ job: { id: job.id }, byUserId: 'teacher' }]);
    });

    it('should leave an active job alone and say so, and say when the id is unknown', async () => {
      const backend = await context.makeBackend();
      const job = spec();
      await backend.add(job, admitAll);
      await claimWith(backend);
      expect(await backend.remove(job.id, 'ada')).toMatchObject({ active: { id: job.id } });
      expect(await backend.counts()).toEqual({ queued: 0, active: 1 });
      expect(await backend.remove('no-such-job', 'ada')).toEqual({ missing: true });
    });
  });

  describe('when one room is listed', () => {
    it('should list only that room\'s jobs, with room positions', async () => {
      const backend = await context.makeBackend();
      const room = roomName('r');
      const mine = [spec({ roomId: room }), spec({ roomId: room })];
      await backend.add(mine[0]!, admitAll);
      await backend.add(spec(), admitAll);
      await backend.add(mine[1]!, admitAll);
      await claimWith(backend);
      const listing = await backend.list(room);
      expect(listing.active.map((job) => job.id)).toEqual([mine[0]!.id]);
      expect(listing.queued.map((entry) => [entry.job.id, entry.place.roomPosition])).toEqual([[mine[1]!.id, 1]]);
    });
  });
}
