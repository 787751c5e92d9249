// RoomCluster over Redis: Lua scripts allocate and publish room events atomically on one channel every API node reads in order.
import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import type { AppendGuard, AppendOutcome, ClusterMember, ClusterRoomEvent, RoomCluster, RoomClusterHandlers } from '../rooms/index.js';
import type { Store } from '../store/store.js';
import { APPEND_SCRIPT, BARRIER_SCRIPT, JOIN_SCRIPT, LEAVE_SCRIPT } from './room-scripts.js';
import { SequenceShadow } from './sequence-shadow.js';
import { decodeMessage, type ClusterMessage } from './cluster-messages.js';

export interface RedisRoomClusterOptions {
  /** redis://… of the cluster (`redis.url`). */
  url: string;
  /** Names the cluster's keys: `runlane:<prefix>:rooms:…` (`redis.prefix`, the queue's). */
  prefix: string;
  /** This node's id; its members leave the presence lists once its alive key expires. */
  nodeId: string;
  /** Seeds a room's counter the first time the cluster sees it, and keeps the store's counter up with Redis. */
  store: Pick<Store, 'getRoom' | 'nextRoomSequence'>;
  logger: Logger;
  /** How long a node counts as alive after its last renewal, ms. @defaultValue 15000 */
  aliveTtlMs?: number;
}

/** Status, then the last sequence (or the code sequence of a stale change), then how many events went out. */
type Reply = [number, number, number?];

/**
 * One command connection and one subscriber connection per node. Every script publishes on the same channel as it
 * changes the counter, and Redis runs scripts one at a time, so the channel carries each room's events in sequence order,
 * and every subscriber receives the channel in that order: no reordering is ever needed on the nodes.
 */
export class RedisRoomCluster implements RoomCluster {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #base: string;
  readonly #channel: string;
  readonly #options: RedisRoomClusterOptions;
  readonly #aliveTtlMs: number;
  readonly #shadow: SequenceShadow;
  #handlers: RoomClusterHandlers | null = null;
  #alive: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: RedisRoomClusterOptions) {
    this.#options = options;
    this.#aliveTtlMs = options.aliveTtlMs ?? 15_000;
    this.#base = `runlane:${options.prefix}:rooms:`;
    this.#channel = `${this.#base}events`;
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: 2, connectionName: `runlane-rooms-${options.nodeId}` });
    this.#subscriber = new Redis(options.url, { maxRetriesPerRequest: 2, connectionName: `runlane-rooms-events-${options.nodeId}` });
    const onError = (error: unknown) => options.logger.warn({ err: error }, 'the rooms channel (Redis) reported an error; ioredis reconnects by itself');
    this.#redis.on('error', onError);
    this.#subscriber.on('error', onError);
    this.#shadow = new SequenceShadow(options.store, options.logger);
    this.#redis.defineCommand('roomAppend', { numberOfKeys: 4, lua: APPEND_SCRIPT });
    this.#redis.defineCommand('roomJoin', { numberOfKeys: 3, lua: JOIN_SCRIPT });
    this.#redis.defineCommand('roomLeave', { numberOfKeys: 3, lua: LEAVE_SCRIPT });
    this.#redis.defineCommand('roomBarrier', { numberOfKeys: 3, lua: BARRIER_SCRIPT });
  }

  async start(handlers: RoomClusterHandlers): Promise<void> {
    this.#handlers = handlers;
    this.#subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() === this.#channel) this.#receive(message.toString());
    });
    await this.#subscriber.subscribe(this.#channel);
    await this.#renewAlive();
    this.#alive = setInterval(() => {
      this.#renewAlive().catch((error: unknown) => this.#options.logger.warn({ err: error }, 'could not renew this node in the rooms presence'));
    }, Math.max(1000, Math.floor(this.#aliveTtlMs / 3)));
    this.#alive.unref();
    this.#shadow.start();
  }

  async append(roomId: string, events: readonly ClusterRoomEvent[], guard?: AppendGuard): Promise<AppendOutcome> {
    const keys = [this.#key('seq', roomId), this.#key('code', roomId), guard?.kind === 'stage' ? this.#key('stage', guard.executionId) : this.#key('stage', '-'), this.#channel];
    const [value, hash] = guardArgs(guard);
    const [status, figure, published] = await this.#seeded(roomId, (seed) =>
      this.#call<Reply>('roomAppend', keys, ['', '', seed, guard?.kind ?? 'none', value, hash, roomId, ...events.map((event) => JSON.stringify(event))]),
    (reply) => reply[0] === -2);
    if (status === 1) {
      this.#shadow.add(roomId, published ?? events.length);
      return { status: 'published', last: figure };
    }
    if (status === -1) return { status: 'stale', codeSequence: figure };
    return { status: 'skipped' };
  }

  async join(roomId: string, member: ClusterMember, joined: ClusterRoomEvent): Promise<void> {
    const stored = JSON.stringify({ userId: member.userId, displayName: member.displayName, avatar: member.avatar, role: member.role, joinedAt: new Date().toISOString() });
    const keys = [this.#key('presence', roomId), this.#key('seq', roomId), this.#channel];
    const published = await this.#seeded(roomId, (seed) =>
      this.#call<number>('roomJoin', keys, [this.#field(member.connectionId), stored, JSON.stringify(joined), seed, roomId, this.#key('node', ''), member.userId]),
    (reply) => reply === -2);
    if (published === 1) this.#shadow.add(roomId, 1);
  }

  async leave(roomId: string, connectionId: string, left: ClusterRoomEvent): Promise<void> {
    const keys = [this.#key('presence', roomId), this.#key('seq', roomId), this.#channel];
    const published = await this.#seeded(roomId, (seed) =>
      this.#call<number>('roomLeave', keys, [this.#field(connectionId), JSON.stringify(left), seed, roomId, this.#key('node', '')]),
    (reply) => reply === -2);
    if (published === 1) this.#shadow.add(roomId, 1);
  }

  async barrier(roomId: string, token: string): Promise<void> {
    const keys = [this.#key('presence', roomId), this.#key('seq', roomId), this.#channel];
    await this.#seeded(roomId, (seed) => this.#call<number>('roomBarrier', keys, [token, seed, roomId, this.#key('node', ''), this.#options.nodeId]), (reply) => reply === -2);
  }

  publishDocumentUpdate(roomId: string, update: Uint8Array): void {
    this.#publish({ k: 'd', r: roomId, n: this.#options.nodeId, u: Buffer.from(update).toString('base64') });
  }

  publishAwarenessUpdate(roomId: string, update: Uint8Array): void {
    this.#publish({ k: 'a', r: roomId, n: this.#options.nodeId, u: Buffer.from(update).toString('base64') });
  }

  requestDocument(roomId: string): void {
    this.#publish({ k: 'q', r: roomId, n: this.#options.nodeId });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#alive) clearInterval(this.#alive);
    await this.#shadow.stop();
    // Gone at once rather than when the key expires: nobody lists this node's connections any more.
    await this.#redis.del(this.#key('node', this.#options.nodeId)).catch(() => undefined);
    await this.#subscriber.unsubscribe(this.#channel).catch(() => undefined);
    this.#subscriber.disconnect();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #receive(raw: string): void {
    const handlers = this.#handlers;
    if (!handlers || this.#closed) return;
    let message: ClusterMessage;
    try {
      message = decodeMessage(raw);
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'a rooms channel message could not be read; it was dropped');
      return;
    }
    const own = message.n === this.#options.nodeId;
    switch (message.k) {
      case 'e':
        return handlers.events(message.r, message.f, message.e);
      case 'p':
        if (own) handlers.point(message.r, message.t, { sequence: message.s, users: message.u });
        return;
      case 'd':
        if (!own) handlers.documentUpdate(message.r, Buffer.from(message.u, 'base64'));
        return;
      case 'a':
        if (!own) handlers.awarenessUpdate(message.r, Buffer.from(message.u, 'base64'));
        return;
      case 'q':
        if (!own) handlers.documentRequest(message.r);
        return;
    }
  }

  /** Runs `call` without a seed, and once more with the store's sequence when the script says the room is new to Redis. */
  async #seeded<T>(roomId: string, call: (seed: string) => Promise<T>, needsSeed: (reply: T) => boolean): Promise<T> {
    const reply = await call('');
    if (!needsSeed(reply)) return reply;
    const record = await this.#options.store.getRoom(roomId);
    return call(String(record?.sequence ?? 0));
  }

  #call<T>(command: string, keys: string[], args: Array<string | number>): Promise<T> {
    const run = (this.#redis as unknown as Record<string, (...parts: Array<string | number>) => Promise<T>>)[command]!;
    return run.call(this.#redis, ...keys, ...args);
  }

  #publish(message: ClusterMessage): void {
    this.#redis.publish(this.#channel, JSON.stringify(message)).catch((error: unknown) => this.#options.logger.warn({ err: error, roomId: message.r }, 'could not relay a document change to the other nodes'));
  }

  async #renewAlive(): Promise<void> {
    await this.#redis.set(this.#key('node', this.#options.nodeId), '1', 'PX', this.#aliveTtlMs);
  }

  #key(kind: string, id: string): string {
    return `${this.#base}${kind}:${id}`;
  }

  #field(connectionId: string): string {
    return `${this.#options.nodeId}|${connectionId}`;
  }
}

function guardArgs(guard: AppendGuard | undefined): [string, string] {
  if (!guard) return ['', ''];
  if (guard.kind === 'stage') return [guard.ranks.join(','), ''];
  if (guard.kind === 'code-change') return [String(guard.base), guard.hash];
  return [guard.hash, ''];
}
