// Test doubles for the queue conformance suites: job factory, a controllable handler, an event log, assertions.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ExecutionResult } from '../../domain/result.js';
import type { QueueBackend } from '../backend.js';
import type { JobHandler, JobQueue, JobQueueLimits, QueuedJob, QueueEvent } from '../job-queue.js';
import { executionRequest } from '../../domain/submission.js';

/** How long a wait for something that should happen soon may take before the test fails. */
export const WAIT_TIMEOUT_MS = 5000;

/** How a policy case wants its queue built. */
export interface QueueSetup {
  /** Jobs the queue runs itself; 0 for a producer-only queue. Default: `maxConcurrent`. */
  workerSlots?: number;
  /** Share a backend made with `makeBackend` (two roles over one backend); default: a fresh backend. */
  backend?: QueueBackend;
  /** Lease of each claim, ms; default: the queue's. */
  leaseMs?: number;
  /** The live window (`livePositions`); default: the queue's. */
  livePositions?: number;
}

/** What each group of policy conformance cases is given. */
export interface ConformanceContext {
  /** A fresh queue with these limits (defaults for the rest) over the backend under test; closed after the test. */
  makeQueue(limits?: Partial<JobQueueLimits>, setup?: QueueSetup): Promise<JobQueue>;
  /** A fresh, empty backend of the kind under test, for cases that put two queues on one backend. */
  makeBackend(): Promise<QueueBackend>;
  /** Lets pending work and coalesced events land before asserting that something did not happen. */
  settle(): Promise<void>;
  /** The backend's position capability: with `estimate`, rows check places are plausible rather than exact. */
  positions: 'exact' | 'estimate';
  /** A lease short enough to watch several periods of in a test, yet long enough for the backend's heartbeats to land, ms. */
  shortLeaseMs: number;
  /** The backend keeps jobs past close (another node takes them), so close() hands nothing back to the caller. */
  durable: boolean;
}

/** Per-user and per-key caps as high as the node's, so only the cases about them meet them. */
export const DEFAULT_LIMITS: JobQueueLimits = { maxConcurrent: 1, maxQueued: 100, roomMaxRunning: 3, roomMaxQueued: 10, userMaxQueued: 100, userMaxRunning: 100, keyMaxQueued: 100 };

export interface JobSpec {
  roomId?: string | null;
  userId?: string;
  /** The API key the job came through (`Identity.keyId`). */
  keyId?: string;
  priority?: number;
  enqueuedAt?: number;
}

/** A job with unique ids; every spec field has a harmless default (no room, a fresh user, priority 1). */
export function makeJob(spec: JobSpec = {}): QueuedJob {
  const userId = spec.userId ?? `user-${randomUUID()}`;
  return {
    id: randomUUID(),
    correlationId: randomUUID(),
    roomId: spec.roomId ?? null,
    user: { userId, displayName: `Name of ${userId}`, avatar: null, role: 'user', ...(spec.keyId === undefined ? {} : { keyId: spec.keyId }) },
    priority: spec.priority ?? 1,
    language: 'python3',
    request: executionRequest('python3', [{ name: 'main.py', content: 'print(1)' }]),
    enqueuedAt: spec.enqueuedAt ?? Date.now(),
  };
}

/** A unique room id, so tests never share state through a backend. */
export function roomName(label: string): string {
  return `${label}-${randomUUID()}`;
}

/** A plausible successful result whose stdout names the job, so a mix-up shows. */
export function resultFor(jobId: string): ExecutionResult {
  const run = { cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 1024, exitCode: 0, signal: null };
  return {
    verdict: 'accepted',
    compile: null,
    compileCached: false,
    testCases: [],
    stdout: `${jobId}\n`,
    stderr: '',
    ...run,
    message: null,
  };
}

interface Call {
  job: QueuedJob;
  signal: AbortSignal;
  resolve(result: ExecutionResult): void;
  reject(error: unknown): void;
}

/** Polls a condition on every turn of the event loop until it holds or the timeout passes. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = WAIT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A handler whose runs finish only when the test says so. */
export class FakeHandler {
  readonly calls: Call[] = [];
  readonly handler: JobHandler = (job, signal) =>
    new Promise<ExecutionResult>((resolve, reject) => {
      this.calls.push({ job, signal, resolve, reject });
    });

  /** Ids of the jobs the handler was given, in order. */
  get startedIds(): string[] {
    return this.calls.map((call) => call.job.id);
  }

  async waitForCalls(count: number): Promise<void> {
    await waitUntil(() => this.calls.length >= count, `${count} handler calls (have ${this.calls.length})`);
  }

  call(jobId: string): Call {
    const call = this.calls.find((candidate) => candidate.job.id === jobId);
    if (call === undefined) throw new Error(`job ${jobId} was not started`);
    return call;
  }

  complete(jobId: string): void {
    this.call(jobId).resolve(resultFor(jobId));
  }

  fail(jobId: string, error: unknown): void {
    this.call(jobId).reject(error);
  }

  /**
   * Lets one job run at a time to completion and returns the ids in the order they were started: the queue's
   * dispatch order when it is limited to one running job.
   */
  async runOneByOne(count: number): Promise<string[]> {
    for (let index = 0; index < count; index += 1) {
      await this.waitForCalls(index + 1);
      this.complete(this.calls[index]!.job.id);
    }
    return this.startedIds.slice(0, count);
  }
}

/** Everything a queue emitted since the log was attached (or last cleared). */
export class EventLog {
  events: QueueEvent[] = [];
  readonly stop: () => void;

  constructor(queue: JobQueue) {
    this.stop = queue.subscribe((event) => this.events.push(event));
  }

  clear(): void {
    this.events = [];
  }

  ofType<K extends QueueEvent['type']>(type: K): Extract<QueueEvent, { type: K }>[] {
    return this.events.filter((event): event is Extract<QueueEvent, { type: K }> => event.type === type);
  }

  /** Types of the events that concern one job, in order (`positions` excluded). */
  typesFor(jobId: string): string[] {
    return this.events.filter((event) => event.type !== 'positions' && event.entry.id === jobId).map((event) => event.type);
  }

  async waitFor<K extends QueueEvent['type']>(type: K, count = 1): Promise<Extract<QueueEvent, { type: K }>[]> {
    await waitUntil(() => this.ofType(type).length >= count, `${count} "${type}" events`);
    return this.ofType(type);
  }
}

/** Asserts that a promise rejects with an AppError of this code and status; returns the error for further checks. */
export async function expectAppError(promise: Promise<unknown>, code: string, statusCode: number): Promise<{ retryAfterSeconds?: number }> {
  const error = await promise.then(
    () => {
      throw new Error(`expected ${code}, but the call succeeded`);
    },
    (caught: unknown) => caught as { code?: string; statusCode?: number; retryAfterSeconds?: number },
  );
  expect({ code: error.code, statusCode: error.statusCode }).toEqual({ code, statusCode });
  return error;
}

/** Asserts a Retry-After hint: a whole number of seconds, at least one. */
export function expectRetryAfter(error: { retryAfterSeconds?: number }): void {
  expect(Number.isInteger(error.retryAfterSeconds)).toBe(true);
  expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
}

/** Asserts a place: equal to the expected one when positions are exact, else a positive whole number (or both null). */
export function expectPlace(context: Pick<ConformanceContext, 'positions'>, actual: number | null | undefined, expected: number | null): void {
  if (context.positions === 'exact' || expected === null) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Number.isInteger(actual)).toBe(true);
  expect(actual).toBeGreaterThanOrEqual(1);
}

/** The latest announced position of each job over every `positions` event in the log. */
export function announcedPositions(log: EventLog): Record<string, number> {
  const latest: Record<string, number> = {};
  for (const event of log.ofType('positions')) for (const change of event.changes) latest[change.jobId] = change.position;
  return latest;
}
