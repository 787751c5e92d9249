// Whether the node's dependencies answer: its store and, in a cluster, Redis, each asked with a short timeout.
import type { DependencyStatus } from '../http/types.js';
import { isAppError } from '../errors/index.js';
import type { WorkerRegistry } from '../queue/worker-registry.js';
import type { Store } from '../store/store.js';

export interface DependencyProbeOptions {
  store: Store;
  storeKind: 'postgresql' | 'sqlite';
  /** The cluster's registry, whose connection is the Redis check; null in the embedded mode (no Redis). */
  redis: WorkerRegistry | null;
  /** How long each dependency may take to answer, ms. @defaultValue 2000 */
  timeoutMs?: number;
}

/** An id no submission has: reading it is the cheapest round trip through the store's own query path. */
const PROBE_ID = '00000000-0000-0000-0000-000000000000';

/** Asks every dependency at once; never rejects. */
export function probeDependencies(options: DependencyProbeOptions): () => Promise<DependencyStatus[]> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return async () => {
    const probes: Array<Promise<DependencyStatus>> = [probe(options.storeKind, () => options.store.getSubmission(PROBE_ID), timeoutMs)];
    if (options.redis !== null) probes.push(probe('redis', () => options.redis!.ping(), timeoutMs));
    return Promise.all(probes);
  };
}

async function probe(name: DependencyStatus['name'], ask: () => Promise<unknown>, timeoutMs: number): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    const error = await Promise.race([ask().then(() => null), timeout]);
    return { name, status: error === null ? 'up' : 'down', error };
  } catch (error) {
    // The code only: driver messages can carry host names and connection strings.
    return { name, status: 'down', error: isAppError(error) ? error.code : 'unreachable' };
  } finally {
    clearTimeout(timer);
  }
}
