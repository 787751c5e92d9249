// MemoryQueueBackend: the QueueBackend held in this process, with leases that expire on a timer.
import { randomUUID } from 'node:crypto';
import type { ExecutionResult } from '../../domain/result.js';
import { AppError, QUEUE_ERRORS } from '../../errors/index.js';
import type {
  AdmissionCheck,
  BackendEvent,
  BackendJob,
  BackendJobSpec,
  BackendListing,
  BackendPlace,
  ClaimedJob,
  ClaimOptions,
  ListOptions,
  PlacedJob,
  QueueBackend,
  RemoveOutcome,
  RunningView,
} from '../backend.js';
import { tally } from '../tally.js';
import { DispatchOrder } from './dispatch-order.js';

/** Options of the memory backend. */
export interface MemoryQueueBackendOptions {
  /**
   * Clock in epoch ms, for start times and lease expiry.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Called when a listener throws; the event still reaches the other listeners.
   * @defaultValue the error is dropped
   */
  onListenerError?: (error: unknown, event: BackendEvent) => void;
}

/** A job with its current lease; the job object itself is what the order holds. */
interface Held {
  readonly job: BackendJob;
  leaseId: string | null;
  expiry: NodeJS.Timeout | null;
}

function userRoomKey(roomId: string, userId: string): string {
  // A NUL separator cannot occur in ids that went through request validation, so keys never collide.
  return `${roomId}\u0000${userId}`;
}

/** A copy for callers, so nothing outside can change what the backend holds. */
function copy(job: BackendJob): BackendJob {
  return { ...job };
}

/**
 * Holds every job in this process: exact positions, atomic by construction (each call runs to completion on one
 * thread), nothing durable. Events are emitted synchronously inside the call that caused them.
 */
export class MemoryQueueBackend implements QueueBackend {
  readonly positions = 'exact' as const;
  readonly durable: boolean = false;
  readonly #now: () => number;
  readonly #onListenerError: (error: unknown, event: BackendEvent) => void;
  readonly #order = new DispatchOrder<BackendJob>();
  readonly #held = new Map<string, Held>();
  /** Active jobs in claim order. */
  readonly #active = new Map<string, Held>();
  readonly #roomActive = new Map<string, number>();
  readonly #userActive = new Map<string, number>();
  readonly #userInRoom = new Map<string, BackendJob>();
  readonly #listeners = new Set<(event: BackendEvent) => void>();
  readonly #running: RunningView;

  constructor(options: MemoryQueueBackendOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#onListenerError = options.onListenerError ?? (() => undefined);
    const active = this.#active;
    const roomActive = this.#roomActive;
    const userActive = this.#userActive;
    this.#running = {
      get total(): number {
        return active.size;
      },
      inRoom: (roomId) => roomActive.get(roomId) ?? 0,
      ofUser: (userId) => userActive.get(userId) ?? 0,
    };
  }

  async add(spec: BackendJobSpec, admit: AdmissionCheck): Promise<{ job: BackendJob; place: BackendPlace }> {
    if (this.#held.has(spec.id)) {
      throw new AppError(QUEUE_ERRORS.duplicateId, `Execution "${spec.id}" is already queued or running.`, { details: { id: spec.id } });
    }
    const sameUser = spec.roomId === null ? undefined : this.#userInRoom.get(userRoomKey(spec.roomId, spec.userId));
    const refusal = admit({
      queued: this.#order.size,
      roomQueued: spec.roomId === null ? 0 : this.#order.queuedInRoom(spec.roomId),
      userQueued: this.#order.queuedOfUser(spec.userId),
      keyQueued: spec.keyId === null ? 0 : this.#order.queuedOfKey(spec.keyId),
      userJobInRoom: sameUser === undefined ? null : { startedAt: sameUser.startedAt, roomPosition: this.#order.placeOf(sameUser)?.roomPosition ?? null },
    });
    if (refusal !== null) throw refusal;
    const job: BackendJob = { ...spec, state: 'queued', startedAt: null, attempts: 0 };
    this.#held.set(job.id, { job, leaseId: null, expiry: null });
    if (job.roomId !== null) this.#userInRoom.set(userRoomKey(job.roomId, job.userId), job);
    this.#order.add(job);
    const place = this.#order.placeOf(job)!;
    this.#emit({ type: 'added', job: copy(job), place: { ...place } });
    return { job: copy(job), place };
  }

  async claim(options: ClaimOptions): Promise<ClaimedJob | null> {
    const languages = options.languages ? new Set(options.languages) : null;
    const job = this.#order.takeFirst(
      (candidate) => options.mayStart(candidate, this.#running),
      languages === null ? undefined : (candidate) => languages.has(candidate.data.language),
    );
    if (job === undefined) return null;
    const held = this.#held.get(job.id)!;
    job.state = 'active';
    job.startedAt = this.#now();
    job.attempts += 1;
    this.#active.set(job.id, held);
    if (job.roomId !== null) tally(this.#roomActive, job.roomId, +1);
    tally(this.#userActive, job.userId, +1);
    const leaseId = randomUUID();
    held.leaseId = leaseId;
    const expiresAt = this.#arm(held, options.leaseMs);
    this.#emit({ type: 'claimed', job: copy(job) });
    return { job: copy(job), lease: { leaseId, expiresAt } };
  }

  async extendLease(jobId: string, leaseId: string, leaseMs: number): Promise<boolean> {
    const held = this.#leased(jobId, leaseId);
    if (held === null) return false;
    this.#arm(held, leaseMs);
    return true;
  }

  async complete(jobId: string, leaseId: string, result: ExecutionResult): Promise<boolean> {
    const held = this.#leased(jobId, leaseId);
    if (held === null) return false;
    this.#finishActive(held);
    this.#emit({ type: 'completed', job: copy(held.job), result, finishedAt: this.#now() });
    return true;
  }

  async fail(jobId: string, leaseId: string, error: string): Promise<boolean> {
    const held = this.#leased(jobId, leaseId);
    if (held === null) return false;
    this.#finishActive(held);
    this.#emit({ type: 'failed', job: copy(held.job), error, finishedAt: this.#now() });
    return true;
  }

  async release(jobId: string, leaseId: string): Promise<boolean> {
    const held = this.#leased(jobId, leaseId);
    if (held === null) return false;
    this.#requeue(held);
    return true;
  }

  async remove(jobId: string, byUserId: string): Promise<RemoveOutcome> {
    const held = this.#held.get(jobId);
    if (held === undefined) return { missing: true };
    if (held.job.state === 'active') return { active: copy(held.job) };
    this.#order.remove(held.job);
    this.#forget(held);
    this.#emit({ type: 'removed', job: copy(held.job), byUserId, finishedAt: this.#now() });
    return { removed: copy(held.job) };
  }

  async get(jobId: string): Promise<{ job: BackendJob; place: BackendPlace | null } | null> {
    const held = this.#held.get(jobId);
    if (held === undefined) return null;
    return { job: copy(held.job), place: held.job.state === 'queued' ? this.#order.placeOf(held.job) : null };
  }

  async counts(): Promise<{ queued: number; active: number }> {
    return { queued: this.#order.size, active: this.#active.size };
  }

  async list(roomId: string | null = null, options: ListOptions = {}): Promise<BackendListing> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const queued: BackendListing['queued'] = [];
    let oldestEnqueuedAt: number | null = null;
    // In process the whole walk costs microseconds per thousand jobs, so the oldest wait stays exact.
    this.#order.forEachInOrder((job, place) => {
      if (roomId !== null && job.roomId !== roomId) return;
      if (oldestEnqueuedAt === null || job.enqueuedAt < oldestEnqueuedAt) oldestEnqueuedAt = job.enqueuedAt;
      if (queued.length < limit) queued.push({ job: copy(job), place: { ...place } });
    });
    const active: BackendJob[] = [];
    for (const held of this.#active.values()) if (roomId === null || held.job.roomId === roomId) active.push(copy(held.job));
    const queuedTotal = roomId === null ? this.#order.size : this.#order.queuedInRoom(roomId);
    return { queued, active, queuedTotal, oldestEnqueuedAt };
  }

  async places(limit: number): Promise<PlacedJob[]> {
    const placed: PlacedJob[] = [];
    if (limit < 1) return placed;
    this.#order.forEachInOrder((job, place) => {
      placed.push({ job: { id: job.id, roomId: job.roomId, userId: job.userId }, place: { ...place } });
      return placed.length < limit;
    });
    return placed;
  }

  subscribe(listener: (event: BackendEvent) => void): () => void {
    // Wrapping makes each subscription distinct, so one function subscribed twice gets two handles.
    const wrapped = (event: BackendEvent): void => listener(event);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  async close(): Promise<BackendListing> {
    const listing = await this.list();
    for (const held of this.#held.values()) if (held.expiry !== null) clearTimeout(held.expiry);
    this.#order.drain();
    this.#held.clear();
    this.#active.clear();
    this.#roomActive.clear();
    this.#userActive.clear();
    this.#userInRoom.clear();
    this.#listeners.clear();
    return listing;
  }

  /** The job when `leaseId` is its current lease, else null. */
  #leased(jobId: string, leaseId: string): Held | null {
    const held = this.#held.get(jobId);
    return held !== undefined && held.job.state === 'active' && held.leaseId === leaseId ? held : null;
  }

  /** (Re)starts the lease timer; returns the new expiry. */
  #arm(held: Held, leaseMs: number): number {
    if (held.expiry !== null) clearTimeout(held.expiry);
    const leaseId = held.leaseId;
    held.expiry = setTimeout(() => {
      if (held.leaseId !== leaseId || held.job.state !== 'active') return;
      this.#requeue(held);
      this.#emit({ type: 'expired', job: copy(held.job) });
    }, leaseMs);
    // A lease must never keep the process alive on its own.
    held.expiry.unref();
    return this.#now() + leaseMs;
  }

  #stopActive(held: Held): void {
    const { job } = held;
    if (held.expiry !== null) clearTimeout(held.expiry);
    held.expiry = null;
    held.leaseId = null;
    this.#active.delete(job.id);
    if (job.roomId !== null) tally(this.#roomActive, job.roomId, -1);
    tally(this.#userActive, job.userId, -1);
  }

  /** Back to the head of its lane: it was first in line once already. */
  #requeue(held: Held): void {
    this.#stopActive(held);
    held.job.state = 'queued';
    held.job.startedAt = null;
    this.#order.add(held.job, true);
  }

  #finishActive(held: Held): void {
    this.#stopActive(held);
    this.#forget(held);
  }

  /** Drops a job that left for good (removed or finished). */
  #forget(held: Held): void {
    const { job } = held;
    this.#held.delete(job.id);
    if (job.roomId !== null) {
      const key = userRoomKey(job.roomId, job.userId);
      if (this.#userInRoom.get(key) === job) this.#userInRoom.delete(key);
    }
  }

  #emit(event: BackendEvent): void {
    // A copy, so a listener that subscribes during delivery does not receive the event that made it subscribe.
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
  }
}
