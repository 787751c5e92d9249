// What each part of the Store conformance suite gets: fresh stores, and a way to reopen one's data.
import type { Store } from '../store.js';

export interface StoreHarness {
  /** A new, empty, initialised store; closed after the test. */
  fresh(): Promise<Store>;
  /** Another store over the same data as `store` (which may still be open, as after a crash); closed after the test. Undefined when the implementation keeps no data across instances. */
  reopen: ((store: Store) => Promise<Store>) | undefined;
}

/** Awaits a promise expected to reject and returns its error, so tests can inspect it fully. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}
