// Conformance cases for the store's own lifecycle: repeated init, close, and surviving a restart or a crash.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { at, finishedSubmission, insertAs, makeResult, makeSubmission } from './fixtures.js';
import { rejectionOf, type StoreHarness } from './harness.js';

export function describeLifecycleCases(harness: StoreHarness): void {
  describe('when the store is initialised again', () => {
    it('should keep its data', async () => {
      const store = await harness.fresh();
      const submission = await insertAs(store, makeSubmission());
      await store.init();
      expect(await store.getSubmission(submission.id)).toEqual(submission);
    });
  });

  describe('when the store is closed', () => {
    it('should allow closing twice and refuse work with RUNLANE_ERR_STORE_UNAVAILABLE', async () => {
      const store = await harness.fresh();
      await store.close();
      await store.close();
      expect(await rejectionOf(store.getSubmission(randomUUID()))).toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
    });
  });

  describe.skipIf(!harness.reopen)('when the process restarts', () => {
    it('should find submissions and rooms intact after close and reopen', async () => {
      const store = await harness.fresh();
      const finished = await insertAs(store, finishedSubmission({ createdAt: 0 }));
      const withCases = await insertAs(store, { ...finishedSubmission({ createdAt: 1 }), result: makeResult(4, { verdict: 'accepted' }) });
      const roomId = `room-${randomUUID()}`;
      await store.nextRoomSequence(roomId, 41);
      await store.saveRoomCode(roomId, 'x = 1', 'python');
      await store.saveRoomDocument(roomId, new Uint8Array([1, 0, 255, 7]));
      await store.recordRoomExecution(roomId, at(5));
      const room = await store.getRoom(roomId);
      await store.close();

      const reopened = await harness.reopen!(store);
      expect(await reopened.getSubmission(finished.id)).toEqual(finished);
      expect(await reopened.getSubmission(withCases.id)).toEqual(withCases);
      expect(await reopened.getRoom(roomId)).toEqual(room);
      expect(await reopened.nextRoomSequence(roomId)).toBe(42);
    });

    it('should let the next process claim what a crashed one left queued or running', async () => {
      const crashed = await harness.fresh();
      await crashed.registerNode('crashed', at(1));
      const queued = await insertAs(crashed, makeSubmission({ createdAt: at(1) }));
      const running = await insertAs(crashed, makeSubmission({ status: 'running', createdAt: at(2), startedAt: at(3) }));
      // The crashed instance is never closed: the next process finds its last committed writes.
      const next = await harness.reopen!(crashed);
      const claimed = await next.claimOrphans('next', at(50));
      expect(claimed.map((orphan) => [orphan.submission.id, orphan.submission.status])).toEqual([[queued.id, 'queued'], [running.id, 'running']]);
    });
  });
}
