// SchedulingPolicy: what a backend is told about each job (lane, priority) and the admission and claim rules it applies.
import type { AdmissionCheck, BackendJobSpec, ClaimPredicate, RunningCaps } from '../backend.js';
import type { JobQueueLimits, QueuedJob } from '../job-queue.js';
import { checkAdmission } from './admission.js';
import { RunDurations } from './run-durations.js';

/** Settings of a {@link SchedulingPolicy}. */
export interface SchedulingPolicyOptions {
  limits: JobQueueLimits;
  /** Clock in epoch ms, for Retry-After estimates. */
  now: () => number;
  /** Run duration assumed before any run has finished, ms. */
  assumedRunDurationMs: number;
  /** Finished runs kept per room (and overall) for Retry-After estimates. */
  durationSamples: number;
  /** Rooms whose recent durations are kept. */
  durationRooms: number;
  /** Upper bound of any Retry-After, seconds. */
  maxRetryAfterSeconds: number;
}

/** Jobs of one room share a lane; a job without a room is in its user's own lane, so one user's flood is one lane too. */
export function laneOf(job: Pick<QueuedJob, 'roomId' | 'user'>): string {
  return job.roomId === null ? `user:${job.user.userId}` : `room:${job.roomId}`;
}

/**
 * The rules of the queue, independent of where jobs are kept:
 *
 * - admission: shutting down (503), one queued-or-running job per user per room, then the user's, the key's, the
 *   room's and the global queued caps (429 with Retry-After, 503 for the global one);
 * - order: higher priority first, lanes (rooms, or a user without a room) take turns within a priority, FIFO within a
 *   lane; the backend applies it, the policy chooses priority and lane;
 * - running caps: `maxConcurrent` overall and `roomMaxRunning` per room always hold. `userMaxRunning` is
 *   work-conserving: a user at it is passed over while another user's job can start, and may use a free slot (up to
 *   `maxConcurrent`) when no other user's job can.
 */
export class SchedulingPolicy {
  readonly limits: JobQueueLimits;
  readonly #options: SchedulingPolicyOptions;
  readonly #durations: RunDurations;

  constructor(options: SchedulingPolicyOptions) {
    this.#options = options;
    this.limits = options.limits;
    this.#durations = new RunDurations({ samples: options.durationSamples, maxRooms: options.durationRooms });
  }

  /** What the backend files for a job. */
  toSpec(job: QueuedJob): BackendJobSpec {
    return {
      id: job.id,
      priority: job.priority,
      lane: laneOf(job),
      roomId: job.roomId,
      userId: job.user.userId,
      keyId: job.user.keyId ?? null,
      enqueuedAt: job.enqueuedAt,
      data: job,
    };
  }

  /** The admission check the backend runs, atomically with the add, for one job. */
  admission(job: QueuedJob, closing: boolean): AdmissionCheck {
    return (view) =>
      checkAdmission({
        limits: this.limits,
        closing,
        queued: view.queued,
        roomId: job.roomId,
        roomQueued: view.roomQueued,
        userQueued: view.userQueued,
        keyId: job.user.keyId ?? null,
        keyQueued: view.keyQueued,
        userJob: view.userJobInRoom,
        typicalRunMs: this.#durations.typicalMs(job.roomId) ?? this.#options.assumedRunDurationMs,
        typicalGlobalRunMs: this.#durations.typicalMs() ?? this.#options.assumedRunDurationMs,
        now: this.#options.now(),
        maxRetryAfterSeconds: this.#options.maxRetryAfterSeconds,
      });
  }

  /** The running caps as data, for backends that apply the claim rule inside their own atomic step. */
  get caps(): RunningCaps {
    return { maxRunning: this.limits.maxConcurrent, roomMaxRunning: this.limits.roomMaxRunning, userMaxRunning: this.limits.userMaxRunning };
  }

  /** The claim predicate: running caps, with the per-user cap yielding spare slots nobody else can use. */
  readonly mayStart: ClaimPredicate = (candidate, running) => {
    if (running.total >= this.limits.maxConcurrent) return 'skip';
    if (candidate.roomId !== null && running.inRoom(candidate.roomId) >= this.limits.roomMaxRunning) return 'skip';
    return running.ofUser(candidate.userId) < this.limits.userMaxRunning ? 'take' : 'spare';
  };

  /** Feeds one finished run into the Retry-After estimates. */
  recordRun(roomId: string | null, durationMs: number): void {
    this.#durations.record(roomId, durationMs);
  }
}
