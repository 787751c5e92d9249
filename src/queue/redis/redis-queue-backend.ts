// RedisQueueBackend: the QueueBackend shared by every node through Redis, atomic through Lua scripts, with leases Redis enforces.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ExecutionResult } from '../../domain/result.js';
import { AppError, QUEUE_ERRORS } from '../../errors/index.js';
import type {
  AdmissionCheck,
  AdmissionView,
  BackendEvent,
  BackendJob,
  BackendJobSpec,
  BackendListing,
  BackendPlace,
  ClaimDecision,
  ClaimedJob,
  ClaimOptions,
  ListOptions,
  PlacedJob,
  QueueBackend,
  RemoveOutcome,
  RunningView,
} from '../backend.js';
import { decodeCounts, decodeJob, decodePlace } from './job-rows.js';
import { RedisEventBus } from './redis-event-bus.js';
import { resolveRedisQueueBackendOptions, type RedisQueueBackendOptions, type ResolvedRedisQueueBackendOptions } from './redis-queue-backend-options.js';
import { keyBase } from './redis-keys.js';
import { RedisScripts, translateRedisError, type Reply } from './redis-scripts.js';

/** A lane head as the claim view reads it. */
interface Head {
  priority: string;
  lane: string;
  job: BackendJob;
}

function duplicate(id: string): AppError {
  return new AppError(QUEUE_ERRORS.duplicateId, `Execution "${id}" is already queued or running.`, { details: { id } });
}

function unserved(language: string): AppError {
  return new AppError(
    QUEUE_ERRORS.languageUnserved,
    `No live worker runs language "${language}" right now, so the execution was not queued; start a worker that serves it (runlane worker --languages ${language}) or submit in another language.`,
    { details: { language } },
  );
}

/**
 * Every node's view of one queue. Admission and claims run the policy's callbacks in JavaScript between two scripts:
 * the first reads what the callback looks at, the second commits only if that still holds (an add: the same counts;
 * a claim: the job still heads its lane and the running caps, given as data, still allow it) and otherwise the call
 * reads and decides again. Each script first requeues jobs whose lease ran out, so expiry is enforced atomically with
 * whatever follows; a timer does the same when the queue is idle. Events reach this instance's listeners when the
 * call that caused them returns, and other instances over pub/sub.
 */
export class RedisQueueBackend implements QueueBackend {
  readonly positions = 'exact' as const;
  readonly durable = true;
  /** Names this instance on the event channel. */
  readonly instanceId = randomUUID();
  readonly #options: ResolvedRedisQueueBackendOptions;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #scripts: RedisScripts;
  readonly #bus: RedisEventBus;
  readonly #listeners = new Set<(event: BackendEvent) => void>();
  readonly #sweeper: NodeJS.Timeout;
  #sweeping = false;
  #closed: Promise<BackendListing> | null = null;
  /** Set once close() has read what is held: from then on every call is refused. */
  #disconnected = false;

  /** Connects in the background (calls made meanwhile wait for it); {@link RedisQueueBackend.open} also waits for the event channel. */
  constructor(options: RedisQueueBackendOptions) {
    this.#options = resolveRedisQueueBackendOptions(options);
    const { url, onError } = this.#options;
    // Few retries per command: a request fails fast with a 503 while Redis is down, and the connection keeps reconnecting.
    // Named, so CLIENT LIST shows which node and which role each connection is.
    this.#redis = new Redis(url, { maxRetriesPerRequest: 2, connectionName: `runlane-queue-${this.instanceId}` });
    this.#subscriber = new Redis(url, { maxRetriesPerRequest: 2, connectionName: `runlane-queue-events-${this.instanceId}` });
    // ioredis prints unhandled connection errors unless someone listens; they are the caller's to log.
    this.#redis.on('error', onError);
    this.#subscriber.on('error', onError);
    const base = keyBase(this.#options.prefix);
    this.#scripts = new RedisScripts(this.#redis, base);
    this.#bus = new RedisEventBus({
      publisher: this.#redis,
      subscriber: this.#subscriber,
      base,
      origin: this.instanceId,
      deliver: (event) => this.#deliver(event),
      largeEventBytes: this.#options.largeEventBytes,
      parkedResultTtlMs: this.#options.parkedResultTtlMs,
      onError,
    });
    this.#sweeper = setInterval(() => this.#sweep(), this.#options.sweepIntervalMs);
    this.#sweeper.unref();
  }

  /** A backend whose event subscription is in place, so changes made through other instances reach its listeners. */
  static async open(options: RedisQueueBackendOptions): Promise<RedisQueueBackend> {
    const backend = new RedisQueueBackend(options);
    try {
      await backend.ready();
    } catch (error) {
      await backend.close().catch(() => undefined);
      throw translateRedisError(error);
    }
    return backend;
  }

  /** Resolves once this instance hears other instances' events. */
  ready(): Promise<void> {
    return this.#bus.ready;
  }

  async add(spec: BackendJobSpec, admit: AdmissionCheck): Promise<{ job: BackendJob; place: BackendPlace }> {
    const room = spec.roomId ?? '';
    const key = spec.keyId ?? '';
    for (let attempt = 0; attempt < this.#options.maxAttempts; attempt += 1) {
      const viewReply = await this.#run('admissionView', spec.id, room, spec.userId, key);
      if (viewReply[1] === 'duplicate') throw duplicate(spec.id);
      const [, , queued, roomQueued, userQueued, keyQueued, mine, started, roomPosition] = viewReply as [unknown, string, number, number, number, number, string, string, number];
      const view: AdmissionView = {
        queued: Number(queued),
        roomQueued: Number(roomQueued),
        userQueued: Number(userQueued),
        keyQueued: Number(keyQueued),
        userJobInRoom: mine === '' ? null : { startedAt: started === '' ? null : Number(started), roomPosition: started === '' ? Number(roomPosition) : null },
      };
      const refusal = admit(view);
      if (refusal !== null) throw refusal;
      const reply = await this.#run(
        'add',
        spec.id,
        String(spec.priority),
        spec.lane,
        room,
        spec.userId,
        key,
        JSON.stringify(spec),
        view.queued,
        view.roomQueued,
        view.userQueued,
        view.keyQueued,
        mine,
        started,
        spec.data.language,
        this.#options.requireServedLanguage ? '1' : '0',
        spec.enqueuedAt,
      );
      if (reply[1] === 'duplicate') throw duplicate(spec.id);
      if (reply[1] === 'unserved') throw unserved(spec.data.language);
      if (reply[1] === 'added') {
        const job = decodeJob(reply[2]);
        const place = decodePlace(reply[3], reply[4]);
        this.#emit({ type: 'added', job, place: { ...place } });
        return { job, place };
      }
      // 'changed': another instance moved the counts admission decided on; read and decide again.
    }
    throw new AppError(QUEUE_ERRORS.contended, `The shared queue changed ${this.#options.maxAttempts} times while admitting execution "${spec.id}"; retry.`, { details: { id: spec.id } });
  }

  async claim(options: ClaimOptions): Promise<ClaimedJob | null> {
    const languages = options.languages?.join(',') ?? '';
    for (let attempt = 0; attempt < this.#options.maxAttempts; attempt += 1) {
      const choice = await this.#choose(languages, options);
      if (choice === null) return null;
      const { caps } = options;
      const leaseId = randomUUID();
      const reply = await this.#run(
        'claim',
        choice.head.job.id,
        choice.head.priority,
        choice.head.lane,
        choice.decision,
        caps.maxRunning,
        caps.roomMaxRunning,
        caps.userMaxRunning,
        leaseId,
        options.leaseMs,
        options.workerId,
        languages,
      );
      if (reply[1] === 'claimed') {
        const job = decodeJob(reply[2]);
        this.#emit({ type: 'claimed', job });
        return { job, lease: { leaseId, expiresAt: Number(reply[3]) } };
      }
      // 'conflict': another instance took the head or a slot first; read and decide again.
    }
    return null;
  }

  /**
   * The memory order's takeFirst over lane heads, read a page of lanes at a time: the first `take` in turn order, else
   * the first `spare`. Later pages are read only while no `take` was found; the claim script re-checks what was chosen.
   */
  async #choose(languages: string, options: ClaimOptions): Promise<{ head: Head; decision: ClaimDecision } | null> {
    let spare: Head | null = null;
    let cursor: [string, number] = ['', 0];
    for (;;) {
      const viewReply = await this.#run('claimView', languages, cursor[0], cursor[1], this.#options.claimPageLanes);
      const running = runningView(Number(viewReply[1]), decodeCounts(viewReply[2]), decodeCounts(viewReply[3]));
      for (const [priority, lane, row] of viewReply[4] as Array<[string, string, unknown]>) {
        const head: Head = { priority, lane, job: decodeJob(row) };
        const decision = options.mayStart(head.job, running);
        if (decision === 'take') return { head, decision };
        if (decision === 'spare' && spare === null) spare = head;
      }
      const next = viewReply[5] as [string, number] | [];
      if (next.length === 0) break;
      cursor = [next[0]!, Number(next[1])];
    }
    return spare === null ? null : { head: spare, decision: 'spare' };
  }

  async extendLease(jobId: string, leaseId: string, leaseMs: number): Promise<boolean> {
    const reply = await this.#run('extendLease', jobId, leaseId, leaseMs);
    return Number(reply[1]) === 1;
  }

  async complete(jobId: string, leaseId: string, result: ExecutionResult): Promise<boolean> {
    const reply = await this.#run('finish', jobId, leaseId);
    if (Number(reply[1]) !== 1) return false;
    this.#emit({ type: 'completed', job: decodeJob(reply[2]), result, finishedAt: Number(reply[3]) });
    return true;
  }

  async fail(jobId: string, leaseId: string, error: string): Promise<boolean> {
    const reply = await this.#run('finish', jobId, leaseId);
    if (Number(reply[1]) !== 1) return false;
    this.#emit({ type: 'failed', job: decodeJob(reply[2]), error, finishedAt: Number(reply[3]) });
    return true;
  }

  async release(jobId: string, leaseId: string): Promise<boolean> {
    const reply = await this.#run('release', jobId, leaseId);
    return Number(reply[1]) === 1;
  }

  async remove(jobId: string, byUserId: string): Promise<RemoveOutcome> {
    const reply = await this.#run('remove', jobId);
    if (reply[1] === 'missing') return { missing: true };
    if (reply[1] === 'active') return { active: decodeJob(reply[2]) };
    const removed = decodeJob(reply[2]);
    this.#emit({ type: 'removed', job: removed, byUserId, finishedAt: Number(reply[3]) });
    return { removed: { ...removed } };
  }

  async get(jobId: string): Promise<{ job: BackendJob; place: BackendPlace | null } | null> {
    const reply = await this.#run('get', jobId);
    if (reply.length < 2) return null;
    const job = decodeJob(reply[1]);
    return { job, place: job.state === 'queued' ? decodePlace(reply[2], reply[3]) : null };
  }

  async counts(): Promise<{ queued: number; active: number }> {
    const reply = await this.#run('counts');
    return { queued: Number(reply[1]), active: Number(reply[2]) };
  }

  async list(roomId: string | null = null, options: ListOptions = {}): Promise<BackendListing> {
    const reply = await this.#run('list', roomId ?? '', options.limit ?? 0);
    const queued = (reply[1] as Array<[unknown, unknown, unknown]>).map(([row, position, roomPosition]) => ({ job: decodeJob(row), place: decodePlace(position, roomPosition) }));
    // Lane heads hold each lane's longest wait; a job given back to the head of its lane is older still, and listed.
    let oldest = reply[4] === '' || reply[4] === null ? null : Number(reply[4]);
    for (const { job } of queued) if (oldest === null || job.enqueuedAt < oldest) oldest = job.enqueuedAt;
    return { queued, active: (reply[2] as unknown[]).map(decodeJob), queuedTotal: Number(reply[3]), oldestEnqueuedAt: queued.length === 0 && Number(reply[3]) === 0 ? null : oldest };
  }

  async places(limit: number): Promise<PlacedJob[]> {
    const reply = await this.#run('places', limit);
    return (reply[1] as Array<[string, string, string, unknown, unknown]>).map(([id, room, userId, position, roomPosition]) => ({
      job: { id, roomId: room === '' ? null : room, userId },
      place: decodePlace(position, roomPosition),
    }));
  }

  subscribe(listener: (event: BackendEvent) => void): () => void {
    // Wrapping makes each subscription distinct, so one function subscribed twice gets two handles.
    const wrapped = (event: BackendEvent): void => listener(event);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  /** Stops the timer and the event channel and disconnects; the jobs stay in Redis for the other nodes (the listing is empty). */
  close(): Promise<BackendListing> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<BackendListing> {
    clearInterval(this.#sweeper);
    this.#listeners.clear();
    // The jobs stay in Redis for the other nodes, so nothing is handed back and a long queue is not read: the counts
    // script still enforces (and publishes) leases that ran out.
    const counts = await this.counts().catch(() => null);
    const listing: BackendListing = { queued: [], active: [], queuedTotal: counts?.queued ?? 0, oldestEnqueuedAt: null };
    this.#disconnected = true;
    await this.#bus.close();
    await Promise.all([this.#redis.quit().catch(() => this.#redis.disconnect()), this.#subscriber.quit().catch(() => this.#subscriber.disconnect())]);
    return listing;
  }

  /** Runs a script and reports the leases it found expired before anything else it reports. */
  async #run(name: Parameters<RedisScripts['run']>[0], ...args: Array<string | number>): Promise<Reply> {
    if (this.#disconnected) throw new AppError(QUEUE_ERRORS.shuttingDown, 'This node has shut down; its connection to the shared queue is closed.');
    const reply = await this.#scripts.run(name, ...args);
    for (const row of reply[0] as unknown[]) this.#emit({ type: 'expired', job: decodeJob(row) });
    return reply;
  }

  #sweep(): void {
    if (this.#sweeping || this.#closed !== null) return;
    this.#sweeping = true;
    this.#run('sweep').then(
      () => {
        this.#sweeping = false;
      },
      (error: unknown) => {
        this.#sweeping = false;
        this.#options.onError(error);
      },
    );
  }

  /** Delivers a change made here to local listeners and publishes it for the other instances. */
  #emit(event: BackendEvent): void {
    this.#deliver(event);
    // Until the connection goes: a lease that close() finds expired is news for the other nodes too.
    if (!this.#disconnected) this.#bus.publish(event);
  }

  #deliver(event: BackendEvent): void {
    // A copy, so a listener that subscribes during delivery does not receive the event that made it subscribe.
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.#options.onListenerError(error, event);
      }
    }
  }
}

/** The running counts the claim view read, as the predicate sees them. */
function runningView(total: number, rooms: Map<string, number>, users: Map<string, number>): RunningView {
  return { total, inRoom: (roomId) => rooms.get(roomId) ?? 0, ofUser: (userId) => users.get(userId) ?? 0 };
}
