// RedisWorkerRegistry: the cluster's worker registry in Redis, under the queue's prefix, with expiring entries.
import { Redis } from 'ioredis';
import type { WorkerAnnouncement, WorkerInfo, WorkerRegistry } from '../worker-registry.js';
import { DEREGISTER, HEARTBEAT, LIST_WORKERS } from './lua/registry-scripts.js';
import { keyBase } from './redis-keys.js';
import { translateRedisError } from './redis-scripts.js';

export interface RedisWorkerRegistryOptions {
  /** `redis://…` of the cluster's Redis. */
  url: string;
  /**
   * The queue's prefix: the registry's keys are `runlane:<prefix>:worker…`, next to the queue they describe.
   * @defaultValue `'queue'`
   */
  prefix?: string;
  /**
   * Called on a connection failure nobody awaits.
   * @defaultValue the error is dropped (ioredis reconnects by itself)
   */
  onError?: (error: unknown) => void;
}

type ScriptCall = (...argv: Array<string | number>) => Promise<unknown>;

/**
 * Every node's view of the live workers. Each entry is in a sorted set scored by its expiry, so a worker that stops
 * heartbeating (SIGKILL, a lost network) leaves the list and its languages' sets once its time to live passes, with
 * no one cleaning up after it; the queue's add reads the per-language sets in the same script that files a job.
 */
export class RedisWorkerRegistry implements WorkerRegistry {
  readonly #redis: Redis;
  readonly #base: string;
  /** Languages each worker registered from here announced, so deregister can take it out of their sets. */
  readonly #languages = new Map<string, string>();

  constructor(options: RedisWorkerRegistryOptions) {
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: 2, connectionName: 'runlane-worker-registry' });
    this.#redis.on('error', options.onError ?? (() => undefined));
    this.#base = keyBase(options.prefix ?? 'queue');
    this.#redis.defineCommand('runlaneRegistry_heartbeat', { numberOfKeys: 0, lua: HEARTBEAT });
    this.#redis.defineCommand('runlaneRegistry_deregister', { numberOfKeys: 0, lua: DEREGISTER });
    this.#redis.defineCommand('runlaneRegistry_list', { numberOfKeys: 0, lua: LIST_WORKERS });
  }

  async heartbeat(worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    const languages = worker.languages.join(',');
    this.#languages.set(worker.id, languages);
    await this.#call('heartbeat', worker.id, JSON.stringify(worker), ttlMs, languages);
  }

  async deregister(id: string): Promise<void> {
    await this.#call('deregister', id, this.#languages.get(id) ?? '');
    this.#languages.delete(id);
  }

  async list(): Promise<WorkerInfo[]> {
    const rows = (await this.#call('list')) as Array<[string, string]>;
    return rows.map(([info, lastHeartbeat]) => ({ ...(JSON.parse(info) as WorkerAnnouncement), lastHeartbeat: Number(lastHeartbeat) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async servedLanguages(): Promise<Set<string>> {
    return new Set((await this.list()).flatMap((worker) => worker.languages));
  }

  async ping(): Promise<void> {
    try {
      await this.#redis.ping();
    } catch (error) {
      throw translateRedisError(error);
    }
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #call(name: 'heartbeat' | 'deregister' | 'list', ...args: Array<string | number>): Promise<unknown> {
    const command = (this.#redis as unknown as Record<string, ScriptCall>)[`runlaneRegistry_${name}`]!;
    try {
      return await command.call(this.#redis, this.#base, ...args);
    } catch (error) {
      throw translateRedisError(error);
    }
  }
}
