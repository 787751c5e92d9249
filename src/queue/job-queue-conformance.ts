// The behavioural suite every JobQueue driver must pass (memory now, BullMQ later), driven by controllable fake handlers.
import { afterEach, describe } from 'vitest';
import { admissionCases } from './conformance/admission-cases.js';
import { cancelCases } from './conformance/cancel-cases.js';
import { dispatchCases } from './conformance/dispatch-cases.js';
import { DEFAULT_LIMITS, type ConformanceContext } from './conformance/harness.js';
import { lifecycleCases } from './conformance/lifecycle-cases.js';
import { positionCases } from './conformance/position-cases.js';
import type { JobQueue, JobQueueLimits } from './job-queue.js';

export { EventLog, FakeHandler, makeJob, resultFor } from './conformance/harness.js';

/** Knobs for drivers whose events arrive later than the in-memory one's. */
export interface ConformanceOptions {
  /**
   * Waits until pending work and coalesced events have landed, before a test asserts that something did not happen.
   * @defaultValue a few turns of the event loop
   */
  settle?: () => Promise<void>;
}

async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Declares the JobQueue conformance suite under `name`. `makeQueue` returns a fresh, empty queue with the given
 * limits; the suite closes every queue it made after each test.
 */
export function describeJobQueueConformance(name: string, makeQueue: (limits: JobQueueLimits) => Promise<JobQueue>, options: ConformanceOptions = {}): void {
  describe(`${name} (JobQueue conformance)`, () => {
    const made: JobQueue[] = [];
    const context: ConformanceContext = {
      async makeQueue(limits = {}) {
        const queue = await makeQueue({ ...DEFAULT_LIMITS, ...limits });
        made.push(queue);
        return queue;
      },
      settle: options.settle ?? (() => turns(5)),
    };

    afterEach(async () => {
      await Promise.all(made.splice(0).map((queue) => queue.close(0)));
    });

    describe('admission', () => admissionCases(context));
    describe('dispatch', () => dispatchCases(context));
    describe('positions', () => positionCases(context));
    describe('cancellation', () => cancelCases(context));
    describe('lifecycle', () => lifecycleCases(context));
  });
}
