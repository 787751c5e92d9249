// QueueBackend: the narrow store of jobs under the scheduling policy (add, claim with a lease, extend, complete, fail, remove, counts, list, events).
import type { ExecutionResult } from '../domain/result.js';
import type { QueuedJob } from './job-queue.js';

/** What the backend needs to file a job: its id, where it sorts, whom it counts against, and its payload. */
export interface BackendJobSpec {
  id: string;
  /** Higher is claimed first. */
  priority: number;
  /** Jobs of one lane are FIFO; lanes of one priority take turns. The policy chooses it (a room, or a user without one). */
  lane: string;
  /** Counted for the per-room caps; null when the job has no room. */
  roomId: string | null;
  /** Counted for the per-user caps and the one-job-per-user-per-room rule. */
  userId: string;
  /** The API key it came through, counted for the per-key cap; null without one. */
  keyId: string | null;
  /** Epoch ms. */
  enqueuedAt: number;
  /** The job itself, handed back to whoever claims it. */
  data: QueuedJob;
}

/** A job as the backend holds it. */
export interface BackendJob extends BackendJobSpec {
  state: 'queued' | 'active';
  /** Epoch ms of the current claim; null while queued. */
  startedAt: number | null;
  /** How many times it was claimed: more than 1 after a lease expired and the job went back to the queue. */
  attempts: number;
}

/** The right to finish one claimed job, until `expiresAt` unless extended. */
export interface Lease {
  leaseId: string;
  /** Epoch ms; past it the job goes back to the queue and the lease is void. */
  expiresAt: number;
}

/** Where a queued job stands: exact, or an estimate when the backend says `positions: 'estimate'`. */
export interface BackendPlace {
  /** 1-based place among every queued job, in claim order. */
  position: number;
  /** 1-based place among the queued jobs of the same room; null without a room. */
  roomPosition: number | null;
}

/** What admission looks at, read in the same step as the add so that caps hold under concurrent adds. */
export interface AdmissionView {
  /** Queued jobs in all (active ones excluded). */
  queued: number;
  /** Queued jobs of the new job's room; 0 without a room. */
  roomQueued: number;
  /** Queued jobs of the new job's user, in every room and none. */
  userQueued: number;
  /** Queued jobs that came through the new job's API key; 0 without a key. */
  keyQueued: number;
  /** The same user's queued or active job in the same room, if any (none is looked up without a room). */
  userJobInRoom: { startedAt: number | null; roomPosition: number | null } | null;
}

/** Decides an add: an error refuses the job (the backend throws it and stores nothing), null admits it. */
export type AdmissionCheck = (view: AdmissionView) => Error | null;

/** What is running right now, as the claim predicate sees it. */
export interface RunningView {
  /** Active jobs in all. */
  readonly total: number;
  inRoom(roomId: string): number;
  ofUser(userId: string): number;
}

/**
 * The policy's answer for one queued candidate: `take` it, `skip` it (it keeps its lane's turn), or take it as
 * `spare` only when no candidate at all is `take` (so a slot nobody else can use is not left idle).
 */
export type ClaimDecision = 'take' | 'spare' | 'skip';

/** Asked of lane heads in claim order; must be pure (a backend may call it more than once per claim). */
export type ClaimPredicate = (candidate: Readonly<BackendJob>, running: RunningView) => ClaimDecision;

/**
 * The running caps behind the policy's predicate, as data. A backend that cannot call `mayStart` inside its atomic
 * step (a Redis script) chooses with `mayStart` on a read of lane heads and running counts, then commits the claim with
 * a script that re-checks these caps and retries when they no longer hold. `mayStart` never admits beyond them.
 */
export interface RunningCaps {
  /** Active jobs in all. */
  maxRunning: number;
  /** Active jobs per room. */
  roomMaxRunning: number;
  /** Active jobs per user while another user's job could be taken; beyond it a user's jobs are `spare`. */
  userMaxRunning: number;
}

export interface ClaimOptions {
  /** Who claims, for the lease record and diagnostics. */
  workerId: string;
  /** Lease duration, ms. */
  leaseMs: number;
  mayStart: ClaimPredicate;
  caps: RunningCaps;
  /**
   * Language ids the claimant can run; null for any. Among a lane's jobs, only the first in one of these languages is
   * its head for this claim, so a worker never takes a job it cannot run and order among those it can is unchanged.
   */
  languages?: readonly string[] | null;
}

/** A claimed job with the lease that lets the claimant complete, fail or extend it. */
export interface ClaimedJob {
  job: BackendJob;
  lease: Lease;
}

/** What `remove` found: it removes queued jobs only. */
export type RemoveOutcome = { removed: BackendJob } | { active: BackendJob } | { missing: true };

/** Queued jobs in claim order with their places, and active ones in start order. */
export interface BackendListing {
  /** The first queued jobs in claim order (at most the `limit` asked for). */
  queued: Array<{ job: BackendJob; place: BackendPlace }>;
  active: BackendJob[];
  /** Queued jobs in all (of the room, for a room's listing), listed or not. */
  queuedTotal: number;
  /** Epoch ms the longest-waiting queued job (of the room) was enqueued; null when none is queued. */
  oldestEnqueuedAt: number | null;
}

/** How much of the queue a listing returns. */
export interface ListOptions {
  /**
   * At most this many queued jobs, the first in claim order (of the room, for a room's listing); the rest are only
   * counted in `queuedTotal`. A backend stops reading the queue once it has them.
   * @defaultValue unlimited
   */
  limit?: number;
}

/** A queued job's identity and place, as the live-positions pass needs it (no payload). */
export interface PlacedJob {
  job: { readonly id: string; readonly roomId: string | null; readonly userId: string };
  place: BackendPlace;
}

/** Reported after each change; `expired` means a lease ran out and the job is queued again. */
export type BackendEvent =
  | { type: 'added'; job: BackendJob; place: BackendPlace }
  | { type: 'claimed'; job: BackendJob }
  | { type: 'completed'; job: BackendJob; result: ExecutionResult; finishedAt: number }
  | { type: 'failed'; job: BackendJob; error: string; finishedAt: number }
  | { type: 'removed'; job: BackendJob; byUserId: string; finishedAt: number }
  | { type: 'expired'; job: BackendJob };

/**
 * Where jobs live between admission and their end. It knows nothing of caps or fairness beyond what it is told: the
 * scheduling policy (`policy/`) gives each job its lane and priority and decides, through the callbacks, what is
 * admitted and what may start. A backend guarantees:
 *
 * - claim order: highest priority first; within a priority lanes take turns (a lane that got a job goes to the back,
 *   a new lane joins at the back, a skipped lane keeps its turn); FIFO within a lane;
 * - atomicity: the admission check and the add, and the predicate and the claim, see one consistent state, so caps
 *   hold however many producers and workers share the backend;
 * - leases: a claimed job belongs to its lease until complete, fail or expiry; at expiry it is queued again (at the
 *   head of its lane) and the old lease can do nothing more, so a dead worker's job is not lost and is finished once.
 *
 * The memory backend (`memory/`) keeps all of this in one process; a Redis backend does it in scripts.
 */
export interface QueueBackend {
  /** `exact`: places are the claim order. `estimate`: places are approximate (e.g. a sharded or remote queue). */
  readonly positions: 'exact' | 'estimate';
  /** True when queued jobs outlive the process (a closing node then has nothing to hand back). */
  readonly durable: boolean;
  /** Files a job unless `admit` refuses it; throws `RUNLANE_ERR_QUEUE_DUPLICATE_ID` (409) when the id is known. */
  add(spec: BackendJobSpec, admit: AdmissionCheck): Promise<{ job: BackendJob; place: BackendPlace }>;
  /** Takes the next job the predicate accepts (see {@link ClaimDecision}) under a new lease; null when none may start. */
  claim(options: ClaimOptions): Promise<ClaimedJob | null>;
  /** Pushes the lease's expiry `leaseMs` from now; false when the lease is no longer the job's (expired, finished). */
  extendLease(jobId: string, leaseId: string, leaseMs: number): Promise<boolean>;
  /** Ends a claimed job with its result; false (and nothing recorded) when the lease is void. */
  complete(jobId: string, leaseId: string, result: ExecutionResult): Promise<boolean>;
  /** Ends a claimed job as failed by the service; false (and nothing recorded) when the lease is void. */
  fail(jobId: string, leaseId: string, error: string): Promise<boolean>;
  /** Gives a claimed job back to the head of its lane without counting it as finished (a worker shutting down). */
  release(jobId: string, leaseId: string): Promise<boolean>;
  /** Removes a queued job; an active job is left alone and reported as such. */
  remove(jobId: string, byUserId: string): Promise<RemoveOutcome>;
  /** A queued or active job with its place while queued, else null. */
  get(jobId: string): Promise<{ job: BackendJob; place: BackendPlace | null } | null>;
  counts(): Promise<{ queued: number; active: number }>;
  /** Queued (up to `options.limit`) and active jobs, or one room's; for snapshots. */
  list(roomId?: string | null, options?: ListOptions): Promise<BackendListing>;
  /**
   * The first `limit` queued jobs in claim order with their places, without payloads: the live-positions pass. Its
   * cost is bounded by `limit` (and the number of lanes), not by the length of the queue.
   */
  places(limit: number): Promise<PlacedJob[]>;
  /**
   * Listens to changes, including those made through other instances sharing the same store (other nodes): workers
   * claim when told that work arrived or a slot freed. The returned function stops listening. Listeners must not throw.
   */
  subscribe(listener: (event: BackendEvent) => void): () => void;
  /**
   * Stops lease timers and forgets everything (memory) or disconnects (remote); returns what was still held. A
   * `durable` backend hands nothing back (its jobs stay for the other nodes): its lists are empty.
   */
  close(): Promise<BackendListing>;
}
