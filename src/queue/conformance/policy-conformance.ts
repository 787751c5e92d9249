// The scheduling-policy suite: the JobQueue façade's rules (admission, dispatch, fairness, positions, cancel, close, roles) over any backend.
import { afterEach, describe } from 'vitest';
import type { QueueBackend } from '../backend.js';
import type { JobQueue } from '../job-queue.js';
import { ScheduledJobQueue } from '../scheduled-job-queue.js';
import { DEFAULT_LIMITS, type ConformanceContext } from './harness.js';
import { admissionCases } from './policy/admission-cases.js';
import { cancelCases } from './policy/cancel-cases.js';
import { dispatchCases } from './policy/dispatch-cases.js';
import { lifecycleCases } from './policy/lifecycle-cases.js';
import { positionCases } from './policy/position-cases.js';
import { roleCases } from './policy/role-cases.js';

export { EventLog, FakeHandler, makeJob, resultFor } from './harness.js';

/** Knobs for backends whose events arrive later than the memory one's. */
export interface PolicyConformanceOptions {
  /**
   * Waits until pending work and announcements have landed, before a test asserts that something did not happen.
   * @defaultValue a few turns of the event loop
   */
  settle?: () => Promise<void>;
  /**
   * A lease short enough to watch several periods of, ms: long enough that a heartbeat's round trip to the backend
   * lands well within it.
   * @defaultValue 60
   */
  shortLeaseMs?: number;
}

async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Declares the policy suite under `name`. `makeBackend` returns a fresh, empty backend (unique names per call for a
 * shared store); the suite builds a ScheduledJobQueue over it and closes every queue it made after each test.
 */
export function describeSchedulingPolicyConformance(name: string, makeBackend: () => Promise<QueueBackend>, options: PolicyConformanceOptions = {}): void {
  describe(`${name} (scheduling policy conformance)`, () => {
    const made: JobQueue[] = [];
    let positions: 'exact' | 'estimate' = 'exact';
    let durable = false;
    const context: ConformanceContext = {
      async makeQueue(limits = {}, setup = {}) {
        const backend = setup.backend ?? (await makeBackend());
        positions = backend.positions;
        durable = backend.durable;
        const queue = new ScheduledJobQueue({
          backend,
          limits: { ...DEFAULT_LIMITS, ...limits },
          onListenerError: () => undefined,
          ...(setup.workerSlots === undefined ? {} : { workerSlots: setup.workerSlots }),
          ...(setup.leaseMs === undefined ? {} : { leaseMs: setup.leaseMs }),
          ...(setup.livePositions === undefined ? {} : { livePositions: setup.livePositions }),
        });
        made.push(queue);
        return queue;
      },
      makeBackend,
      settle: options.settle ?? (() => turns(5)),
      shortLeaseMs: options.shortLeaseMs ?? 60,
      get positions() {
        return positions;
      },
      get durable() {
        return durable;
      },
    };

    afterEach(async () => {
      await Promise.all(made.splice(0).map((queue) => queue.close(0)));
    });

    describe('admission', () => admissionCases(context));
    describe('dispatch', () => dispatchCases(context));
    describe('positions', () => positionCases(context));
    describe('cancellation', () => cancelCases(context));
    describe('lifecycle', () => lifecycleCases(context));
    describe('roles', () => roleCases(context));
  });
}
