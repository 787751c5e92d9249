// Options of the Redis queue backend, each with its default.
import type { BackendEvent } from '../backend.js';

export interface RedisQueueBackendOptions {
  /** `redis://…` of the server every instance of this queue shares. */
  url: string;
  /**
   * Names this queue: every key is `runlane:<prefix>:…`, so several queues (or test runs) can share one Redis.
   * @defaultValue `'queue'`
   */
  prefix?: string;
  /**
   * How often this instance enforces expired leases even when nothing else touches the queue, ms. Every operation
   * enforces them first anyway; the timer makes a dead node's job come back when the queue is otherwise idle.
   * @defaultValue 250
   */
  sweepIntervalMs?: number;
  /**
   * `completed` events whose JSON exceeds this many bytes publish their result under a key instead of in the message.
   * @defaultValue 262144 (256 KiB)
   */
  largeEventBytes?: number;
  /**
   * How long such a parked result is kept for the other instances to read, ms.
   * @defaultValue 300000
   */
  parkedResultTtlMs?: number;
  /**
   * How often a claim or an add reads again when another instance changed what it decided on, before giving up
   * (a claim then returns null, an add fails with RUNLANE_ERR_QUEUE_CONTENDED).
   * @defaultValue 50
   */
  maxAttempts?: number;
  /**
   * Lanes (rooms, and users' room-less jobs) one claim-view script reads; a claim reads further pages only while none
   * so far may start. Bounds the time one claim holds Redis when thousands of lanes are queued.
   * @defaultValue 64
   */
  claimPageLanes?: number;
  /**
   * Refuse (RUNLANE_ERR_QUEUE_LANGUAGE_UNSERVED, 503) a job whose language no live worker in the registry under the
   * same prefix serves, checked in the same script that files it. Off for a queue used without a worker registry.
   * @defaultValue false
   */
  requireServedLanguage?: boolean;
  /**
   * Called when a listener throws; the event still reaches the other listeners.
   * @defaultValue the error is dropped
   */
  onListenerError?: (error: unknown, event: BackendEvent) => void;
  /**
   * Called on a failure nobody awaits: a lost connection, a failed publish, a failed periodic sweep.
   * @defaultValue the error is dropped (ioredis reconnects by itself)
   */
  onError?: (error: unknown) => void;
}

export type ResolvedRedisQueueBackendOptions = Readonly<Required<RedisQueueBackendOptions>>;

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`RedisQueueBackend: ${name} must be a positive integer, got ${value}`);
  return value;
}

/** Applies defaults and checks values; throws RangeError naming the bad field. */
export function resolveRedisQueueBackendOptions(options: RedisQueueBackendOptions): ResolvedRedisQueueBackendOptions {
  const prefix = options.prefix ?? 'queue';
  if (!/^[A-Za-z0-9_.{}-]+$/.test(prefix)) throw new RangeError(`RedisQueueBackend: prefix must be letters, digits, _ . - { }, got "${prefix}"`);
  return Object.freeze({
    url: options.url,
    prefix,
    sweepIntervalMs: positive('sweepIntervalMs', options.sweepIntervalMs ?? 250),
    largeEventBytes: positive('largeEventBytes', options.largeEventBytes ?? 256 * 1024),
    parkedResultTtlMs: positive('parkedResultTtlMs', options.parkedResultTtlMs ?? 300_000),
    maxAttempts: positive('maxAttempts', options.maxAttempts ?? 50),
    claimPageLanes: positive('claimPageLanes', options.claimPageLanes ?? 64),
    requireServedLanguage: options.requireServedLanguage ?? false,
    onListenerError: options.onListenerError ?? (() => undefined),
    onError: options.onError ?? (() => undefined),
  });
}
