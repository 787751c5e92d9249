// The QueueBackend contract suite: every backend (memory now, Redis later) passes the same rows.
import { afterEach, describe } from 'vitest';
import type { QueueBackend } from '../backend.js';
import { contractCases } from './backend/contract-cases.js';

/** Knobs for backends whose timers are coarser than the memory one's. */
export interface BackendContractOptions {
  /**
   * A lease short enough to watch expire, ms.
   * @defaultValue 50
   */
  shortLeaseMs?: number;
}

/** Declares the contract suite under `name`; `makeBackend` returns a fresh, empty backend, closed after each test. */
export function describeQueueBackendContract(name: string, makeBackend: () => Promise<QueueBackend>, options: BackendContractOptions = {}): void {
  describe(`${name} (QueueBackend contract)`, () => {
    const made: QueueBackend[] = [];
    afterEach(async () => {
      await Promise.all(made.splice(0).map((backend) => backend.close()));
    });
    contractCases({
      async makeBackend() {
        const backend = await makeBackend();
        made.push(backend);
        return backend;
      },
      shortLeaseMs: options.shortLeaseMs ?? 50,
    });
  });
}
