// Conformance cases for crash recovery: only what dead (or released) nodes held is claimed, oldest first, with attempts.
import { describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { at, insertAs, makeSubmission } from './fixtures.js';
import type { StoreHarness } from './harness.js';

const NOW = 1_000_000;
const STALE_BEFORE = at(NOW - 30_000);

/** A queued submission held by `nodeId`, created at the offset, optionally started `starts` times (interrupted in between). */
async function heldBy(store: Store, nodeId: string | null, createdAt: number, starts = 0) {
  const submission = makeSubmission({ createdAt: at(createdAt) });
  await store.createSubmission(submission, { nodeId });
  for (let start = 0; start < starts; start++) {
    if (start > 0) await store.transition(submission.id, ['running'], { status: 'queued' });
    await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(createdAt + 1), nodeId: nodeId ?? 'unknown' });
  }
  return submission;
}

export function describeRecoveryCases(harness: StoreHarness): void {
  describe('when a node claims the work of stopped nodes at start-up', () => {
    it('should claim what dead, released, unknown and its own earlier life held, never a live node\'s work', async () => {
      const store = await harness.fresh();
      await store.registerNode('alive', at(NOW - 1_000));
      await store.registerNode('dead', at(NOW - 60_000));
      await store.registerNode('released', at(NOW - 1_000));
      await store.releaseNode('released');
      const live = [await heldBy(store, 'alive', 1), await heldBy(store, 'alive', 2, 1)];
      const dead = await heldBy(store, 'dead', 30, 1);
      const released = await heldBy(store, 'released', 10);
      const legacy = await heldBy(store, null, 20);
      const mine = await heldBy(store, 'me', 40);
      await insertAs(store, { ...makeSubmission({ createdAt: at(5) }), status: 'cancelled', finishedAt: at(6), error: 'cancelled by its owner' });

      await store.registerNode('me', at(NOW));
      const claimed = await store.claimOrphans('me', STALE_BEFORE);
      expect(claimed.map((orphan) => orphan.submission.id)).toEqual([released.id, legacy.id, dead.id, mine.id]);
      expect(claimed.map((orphan) => [orphan.submission.status, orphan.attempts])).toEqual([['queued', 0], ['queued', 0], ['running', 1], ['queued', 0]]);
      for (const submission of live) expect((await store.getSubmission(submission.id))?.status).not.toBe('failed');
      // Claimed rows now belong to the claimer, so a second node starting next claims none of them.
      expect(await store.claimOrphans('other', STALE_BEFORE)).toEqual([]);
    });

    it('should say which claimed submissions are interactive runs', async () => {
      const store = await harness.fresh();
      const batch = makeSubmission({ createdAt: at(1) });
      const interactive = makeSubmission({ createdAt: at(2) });
      await store.createSubmission(batch, { nodeId: 'gone' });
      await store.createSubmission(interactive, { nodeId: 'gone', interactive: true });
      const claimed = await store.claimOrphans('me', STALE_BEFORE);
      expect(claimed.map((orphan) => [orphan.submission.id, orphan.interactive])).toEqual([[batch.id, false], [interactive.id, true]]);
    });

    it('should count every start, so a run interrupted twice shows two attempts', async () => {
      const store = await harness.fresh();
      const twice = await heldBy(store, 'gone', 1, 2);
      const [orphan] = await store.claimOrphans('me', STALE_BEFORE);
      expect(orphan).toMatchObject({ submission: { id: twice.id, status: 'running' }, attempts: 2 });
    });

    it('should keep claiming a live node\'s work once its heartbeat is older than the cut-off', async () => {
      const store = await harness.fresh();
      await store.registerNode('slow', at(NOW - 60_000));
      const held = await heldBy(store, 'slow', 1);
      await store.heartbeat('slow', at(NOW - 1_000));
      expect(await store.claimOrphans('me', STALE_BEFORE)).toEqual([]);
      await store.heartbeat('slow', at(NOW - 40_000));
      expect((await store.claimOrphans('me', STALE_BEFORE)).map((orphan) => orphan.submission.id)).toEqual([held.id]);
    });
  });
}
