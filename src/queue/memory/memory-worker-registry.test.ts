// The memory worker registry passes the WorkerRegistry contract on a stepped clock.
import { describeWorkerRegistryContract } from '../conformance/worker-registry-contract.js';
import { MemoryWorkerRegistry } from './memory-worker-registry.js';

let now = 1_000_000;

describeWorkerRegistryContract('MemoryWorkerRegistry', {
  makeRegistry: () => {
    const registry = new MemoryWorkerRegistry({ now: () => now });
    // One process has one registry: another view of it is the same object.
    return Promise.resolve({ registry, otherView: () => Promise.resolve(registry) });
  },
  expire: (ms) => {
    now += ms;
    return Promise.resolve();
  },
  ttlMs: 1_000,
});
