// The behavioural test suite every Store implementation runs (SQLite and PostgreSQL).
import { afterEach, describe } from 'vitest';
import type { Store } from './store.js';
import type { StoreHarness } from './conformance/harness.js';
import { describeFencingCases } from './conformance/fencing-cases.js';
import { describeHistoryCases } from './conformance/history-cases.js';
import { describeLifecycleCases } from './conformance/lifecycle-cases.js';
import { describeMaintenanceCases } from './conformance/maintenance-cases.js';
import { describeOutputCases } from './conformance/output-cases.js';
import { describeRecoveryCases } from './conformance/recovery-cases.js';
import { describeRoomCases } from './conformance/room-cases.js';
import { describeSubmissionCases } from './conformance/submission-cases.js';
import { describeTransitionCases } from './conformance/transition-cases.js';

export interface StoreConformanceOptions {
  /**
   * Opens another Store over the same data as `store`, which may be closed (a restart) or still open (a crash).
   * Without it the restart cases are skipped, as for an in-memory database.
   * @defaultValue undefined
   */
  reopen?: (store: Store) => Promise<Store>;
}

/**
 * Declares the Store conformance suite (vitest `describe`/`it`) for one implementation.
 * `makeStore` must return a new, empty, initialised store each time; the suite closes every store it opened.
 */
export function describeStoreConformance(name: string, makeStore: () => Promise<Store>, options: StoreConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    const opened: Store[] = [];
    const track = async (store: Promise<Store>): Promise<Store> => {
      const ready = await store;
      opened.push(ready);
      return ready;
    };
    const { reopen } = options;
    const harness: StoreHarness = {
      fresh: () => track(makeStore()),
      reopen: reopen ? (store) => track(reopen(store)) : undefined,
    };

    afterEach(async () => {
      // Close is idempotent, so stores a test already closed are fine here.
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describeSubmissionCases(harness);
    describeHistoryCases(harness);
    describeMaintenanceCases(harness);
    describeRoomCases(harness);
    describeLifecycleCases(harness);
    describeOutputCases(harness);
    describeTransitionCases(harness);
    describeRecoveryCases(harness);
    describeFencingCases(harness);
  });
}
