// The backend's Lua scripts registered on a connection, run by name with Redis failures translated to one AppError.
import type { Redis } from 'ioredis';
import { AppError, QUEUE_ERRORS, isAppError } from '../../errors/index.js';
import { ADD, ADMISSION_VIEW } from './lua/admission-scripts.js';
import { CLAIM, CLAIM_VIEW } from './lua/claim-scripts.js';
import { EXTEND_LEASE, FINISH, RELEASE } from './lua/lease-scripts.js';
import { COUNTS, GET, LIST, PLACES, REMOVE, SWEEP } from './lua/read-scripts.js';

const SCRIPTS = {
  admissionView: ADMISSION_VIEW,
  add: ADD,
  claimView: CLAIM_VIEW,
  claim: CLAIM,
  extendLease: EXTEND_LEASE,
  finish: FINISH,
  release: RELEASE,
  remove: REMOVE,
  get: GET,
  counts: COUNTS,
  list: LIST,
  places: PLACES,
  sweep: SWEEP,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** A script's reply: nested arrays of strings, numbers and nulls. */
export type Reply = unknown[];

/** Runs the backend's scripts on one connection; every script gets the key base first. */
export class RedisScripts {
  readonly #redis: Redis;
  readonly #base: string;

  constructor(redis: Redis, base: string) {
    this.#redis = redis;
    this.#base = base;
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      // Script names are namespaced so they cannot clash with ioredis's own commands; EVALSHA, with EVAL on NOSCRIPT.
      redis.defineCommand(`runlaneQueue_${name}`, { numberOfKeys: 0, lua });
    }
  }

  /** Runs one script; a Redis or connection error becomes RUNLANE_ERR_QUEUE_UNAVAILABLE (503). */
  async run(name: ScriptName, ...args: Array<string | number>): Promise<Reply> {
    const command = (this.#redis as unknown as Record<string, (...argv: Array<string | number>) => Promise<Reply>>)[`runlaneQueue_${name}`]!;
    try {
      return await command.call(this.#redis, this.#base, ...args);
    } catch (error) {
      throw translateRedisError(error);
    }
  }
}

/** The one place where Redis failures become the queue's error. */
export function translateRedisError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError(QUEUE_ERRORS.unavailable, `The shared queue (Redis) did not answer: ${detail}`, { cause: error });
}
