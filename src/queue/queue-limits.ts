// The queue's caps from the `scheduler` configuration, with the derived defaults worked out.
import type { Config } from '../config/index.js';
import type { JobQueueLimits } from './job-queue.js';

/**
 * Running executions one user may have while others wait, when `scheduler.userMaxRunning` is not set: every slot but
 * one, so when slots free up another user's execution gets one. The cap is work-conserving (see SchedulingPolicy): a
 * user alone on the node may still use every slot.
 */
export function defaultUserMaxRunning(maxConcurrent: number): number {
  return Math.max(1, maxConcurrent - 1);
}

/** Builds the JobQueueLimits every queue driver is given from the scheduler section of the configuration. */
export function queueLimitsFromConfig(scheduler: Config['scheduler']): JobQueueLimits {
  return {
    maxConcurrent: scheduler.maxConcurrent,
    maxQueued: scheduler.maxQueued,
    roomMaxRunning: scheduler.roomMaxRunning,
    roomMaxQueued: scheduler.roomMaxQueued,
    userMaxQueued: scheduler.userMaxQueued,
    userMaxRunning: scheduler.userMaxRunning ?? defaultUserMaxRunning(scheduler.maxConcurrent),
    keyMaxQueued: scheduler.keyMaxQueued,
  };
}
