// Conformance cases for the retention sweep.
import { describe, expect, it } from 'vitest';
import { at, finishedSubmission, insertAs, makeResult, makeSubmission } from './fixtures.js';
import type { StoreHarness } from './harness.js';

export function describeMaintenanceCases(harness: StoreHarness): void {
  describe('when old submissions are swept', () => {
    it('should delete only finished submissions created strictly before the instant', async () => {
      const store = await harness.fresh();
      const cutoff = 10_000;
      const old = [
        await insertAs(store, finishedSubmission({ createdAt: cutoff - 1 })),
        await insertAs(store, finishedSubmission({ createdAt: 0, status: 'failed', verdict: 'internal_error', wallTimeMs: null })),
        await insertAs(store, finishedSubmission({ createdAt: 5, status: 'cancelled', verdict: null, wallTimeMs: null })),
      ];
      const kept = [
        await insertAs(store, finishedSubmission({ createdAt: cutoff })),
        await insertAs(store, finishedSubmission({ createdAt: cutoff + 1 })),
        await insertAs(store, makeSubmission({ createdAt: at(0) })),
        await insertAs(store, makeSubmission({ status: 'running', createdAt: at(0), startedAt: at(1) })),
      ];

      expect(await store.sweep(at(cutoff))).toBe(old.length);
      for (const submission of old) expect(await store.getSubmission(submission.id)).toBeNull();
      for (const submission of kept) expect(await store.getSubmission(submission.id)).toEqual(submission);
      expect(await store.sweep(at(cutoff))).toBe(0);
    });

    it('should delete the test-case results with their submission', async () => {
      const store = await harness.fresh();
      const swept = await insertAs(store, finishedSubmission({ createdAt: 0 }));
      const withCases = { ...swept, result: makeResult(3) };
      await store.sweep(at(1_000));
      // Inserting the id again with the same test-case indexes only works if no orphaned rows were left behind.
      await store.createSubmission(withCases);
      expect(await store.getSubmission(swept.id)).toEqual(withCases);
    });
  });
}
