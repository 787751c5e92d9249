// Conformance cases for history (newest first, limit, paging) and for room and global statistics.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { at, finishedSubmission, insertAs, makeSubmission } from './fixtures.js';
import type { StoreHarness } from './harness.js';

export function describeHistoryCases(harness: StoreHarness): void {
  describe('when history is read', () => {
    it('should list a room newest first, honour the limit and page with before', async () => {
      const store = await harness.fresh();
      const roomId = `room-${randomUUID()}`;
      const offsets = [300, 100, 500, 200, 400];
      const inRoom = offsets.map((offset) => makeSubmission({ roomId, createdAt: at(offset) }));
      for (const submission of inRoom) await store.createSubmission(submission);
      await store.createSubmission(makeSubmission({ createdAt: at(450) }));

      const newestFirst = [...inRoom].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
      expect(await store.roomHistory(roomId, { limit: 10 })).toEqual(newestFirst);
      expect(await store.roomHistory(roomId, { limit: 3 })).toEqual(newestFirst.slice(0, 3));
      expect(await store.roomHistory(roomId, { limit: 3, before: at(300) })).toEqual(newestFirst.slice(3));
      expect(await store.roomHistory(roomId, { limit: 0 })).toEqual([]);
      expect(await store.roomHistory(`room-${randomUUID()}`, { limit: 10 })).toEqual([]);
    });

    it('should list a user across rooms, with finished results in full', async () => {
      const store = await harness.fresh();
      const userId = `user-${randomUUID()}`;
      const older = finishedSubmission({ userId, createdAt: 10 });
      const newer = finishedSubmission({ userId, roomId: null, createdAt: 20, status: 'failed', verdict: 'internal_error', wallTimeMs: null });
      await insertAs(store, older);
      await insertAs(store, newer);
      await insertAs(store, finishedSubmission({ createdAt: 30 }));
      expect(await store.userHistory(userId, { limit: 10 })).toEqual([newer, older]);
    });

    it('should return every submission created in the same millisecond, in a stable order', async () => {
      const store = await harness.fresh();
      const roomId = `room-${randomUUID()}`;
      const twins = [makeSubmission({ roomId, createdAt: at(7) }), makeSubmission({ roomId, createdAt: at(7) })];
      for (const submission of twins) await store.createSubmission(submission);
      const first = await store.roomHistory(roomId, { limit: 10 });
      expect(first.map((submission) => submission.id).sort()).toEqual(twins.map((submission) => submission.id).sort());
      expect(await store.roomHistory(roomId, { limit: 10 })).toEqual(first);
    });
  });

  describe('when room stats are computed', () => {
    it('should count finished executions since the instant and sum their wall time', async () => {
      const store = await harness.fresh();
      const roomId = `room-${randomUUID()}`;
      const counted = [
        finishedSubmission({ roomId, createdAt: 1_000, verdict: 'accepted', wallTimeMs: 100 }),
        finishedSubmission({ roomId, createdAt: 1_100, verdict: 'wrong_answer', wallTimeMs: 50 }),
        finishedSubmission({ roomId, createdAt: 1_200, status: 'failed', verdict: 'internal_error', wallTimeMs: null }),
        finishedSubmission({ roomId, createdAt: 1_300, status: 'cancelled', verdict: null, wallTimeMs: null }),
      ];
      const ignored = [
        finishedSubmission({ roomId, createdAt: 0, finishedAt: 999, wallTimeMs: 10_000 }),
        finishedSubmission({ createdAt: 1_000, wallTimeMs: 10_000 }),
        makeSubmission({ roomId, status: 'running', createdAt: at(1_400), startedAt: at(1_401) }),
      ];
      for (const submission of [...counted, ...ignored]) await insertAs(store, submission);

      expect(await store.roomStats(roomId, at(1_000))).toEqual({ total: 4, successful: 1, failed: 3, totalExecutionTimeMs: 150, avgExecutionTimeMs: 75 });
    });

    it('should report zeros for a room without finished executions', async () => {
      const store = await harness.fresh();
      expect(await store.roomStats(`room-${randomUUID()}`, at(0))).toEqual({ total: 0, successful: 0, failed: 0, totalExecutionTimeMs: 0, avgExecutionTimeMs: 0 });
    });
  });

  describe('when global stats are computed', () => {
    it('should count finished submissions by status and accepted ones apart', async () => {
      const store = await harness.fresh();
      expect(await store.globalStats()).toEqual({ completed: 0, failed: 0, cancelled: 0, accepted: 0 });
      const submissions = [
        finishedSubmission({ createdAt: 1, verdict: 'accepted' }),
        finishedSubmission({ createdAt: 2, verdict: 'accepted' }),
        finishedSubmission({ createdAt: 3, verdict: 'time_limit_exceeded' }),
        finishedSubmission({ createdAt: 4, status: 'failed', verdict: 'internal_error', wallTimeMs: null }),
        finishedSubmission({ createdAt: 5, status: 'cancelled', verdict: null, wallTimeMs: null }),
        makeSubmission({ createdAt: at(6) }),
      ];
      for (const submission of submissions) await insertAs(store, submission);
      expect(await store.globalStats()).toEqual({ completed: 3, failed: 1, cancelled: 1, accepted: 2 });
    });
  });
}
