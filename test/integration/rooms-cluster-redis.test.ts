// The Redis room cluster's scripts against the real Redis: one ordered stream, stage guards, stale code changes, presence across nodes.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { silentLogger } from '../../src/logging/logger.js';
import { RedisRoomCluster } from '../../src/realtime-cluster/index.js';
import type { ClusterRoomEvent, RoomClusterHandlers, StreamPoint } from '../../src/rooms/index.js';
import { deleteQueueKeys } from '../support/redis.js';
import { TEST_REDIS_URL } from '../support/services.js';

const SKIP = process.env.RUNLANE_TEST_REDIS === 'skip';
if (SKIP) announceSkip('the Redis room cluster tests', 'RUNLANE_TEST_REDIS=skip');

/** What one node received, in order. */
class Received implements RoomClusterHandlers {
  readonly sequenced: Array<{ roomId: string; sequence: number; names: readonly string[]; payload: Record<string, unknown> }> = [];
  readonly points: Array<{ token: string; point: StreamPoint }> = [];
  readonly documents: Uint8Array[] = [];
  events(roomId: string, first: number, events: readonly ClusterRoomEvent[]): void {
    events.forEach((event, index) => this.sequenced.push({ roomId, sequence: first + index, names: event.names, payload: event.payload as Record<string, unknown> }));
  }
  point(_roomId: string, token: string, point: StreamPoint): void {
    this.points.push({ token, point });
  }
  documentUpdate(_roomId: string, update: Uint8Array): void {
    this.documents.push(update);
  }
  awarenessUpdate(): void {}
  documentRequest(): void {}
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const prefix = `test-${randomUUID()}`;
const stored = new Map<string, number>();
const store = {
  getRoom: async (roomId: string) => (stored.has(roomId) ? ({ sequence: stored.get(roomId)! } as never) : null),
  nextRoomSequence: async (roomId: string, count: number) => {
    stored.set(roomId, (stored.get(roomId) ?? 0) + count);
    return stored.get(roomId)!;
  },
};

describe.skipIf(SKIP)('RedisRoomCluster', () => {
  const nodes: RedisRoomCluster[] = [];

  async function node(aliveTtlMs?: number): Promise<{ cluster: RedisRoomCluster; received: Received }> {
    const cluster = new RedisRoomCluster({ url: TEST_REDIS_URL, prefix, nodeId: randomUUID(), store, logger: silentLogger(), ...(aliveTtlMs ? { aliveTtlMs } : {}) });
    nodes.push(cluster);
    const received = new Received();
    await cluster.start(received);
    return { cluster, received };
  }

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((cluster) => cluster.close()));
  });

  afterAll(async () => {
    const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteQueueKeys(admin, prefix);
    admin.disconnect();
  });

  describe('when two nodes append to one room at once', () => {
    it('should deliver one gap-free order, the same on both nodes, seeded from the store', async () => {
      const roomId = `room-${randomUUID()}`;
      stored.set(roomId, 41);
      const [a, b] = [await node(), await node()];
      const event = (label: string): ClusterRoomEvent => ({ names: ['code-update'], payload: { label } });
      await Promise.all(Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? a : b).cluster.append(roomId, [event(`e${index}`), event(`e${index}b`)])));
      await until(() => a.received.sequenced.length === 100 && b.received.sequenced.length === 100, 'both nodes to receive 100 events');
      expect(a.received.sequenced.map((entry) => entry.sequence)).toEqual(Array.from({ length: 100 }, (_, index) => 42 + index));
      expect(b.received.sequenced.map((entry) => entry.payload.label)).toEqual(a.received.sequenced.map((entry) => entry.payload.label));
      // Pairs appended together stay together.
      for (let index = 0; index < 100; index += 2) expect(`${a.received.sequenced[index]!.payload.label}b`).toBe(a.received.sequenced[index + 1]!.payload.label);
    });
  });

  describe('when every node tries to publish the stages of one execution', () => {
    it('should publish each stage once and never an earlier stage after a later one', async () => {
      const roomId = `room-${randomUUID()}`;
      const [a, b] = [await node(), await node()];
      const executionId = randomUUID();
      const queued = { names: ['execution-queued'], payload: {} };
      const started = { names: ['execution-started'], payload: {} };
      const done = { names: ['execution-completed'], payload: {} };
      // Node b heard the start first: it publishes queued and started together; node a's late queued is skipped.
      expect(await b.cluster.append(roomId, [queued, started], { kind: 'stage', executionId, ranks: [1, 3] })).toMatchObject({ status: 'published', last: 2 });
      expect(await a.cluster.append(roomId, [queued], { kind: 'stage', executionId, ranks: [1] })).toEqual({ status: 'skipped' });
      expect(await a.cluster.append(roomId, [queued, started, done], { kind: 'stage', executionId, ranks: [1, 3, 4] })).toMatchObject({ status: 'published', last: 3 });
      expect(await b.cluster.append(roomId, [queued, started, done], { kind: 'stage', executionId, ranks: [1, 3, 4] })).toEqual({ status: 'skipped' });
      await until(() => a.received.sequenced.length === 3, 'three events');
      expect(a.received.sequenced.map((entry) => entry.names[0])).toEqual(['execution-queued', 'execution-started', 'execution-completed']);
    });
  });

  describe('when two code changes are based on the same sequence', () => {
    it('should publish the first and refuse the second as stale, and skip a fold of the same text', async () => {
      const roomId = `room-${randomUUID()}`;
      const [a, b] = [await node(), await node()];
      const change = (code: string): ClusterRoomEvent => ({ names: ['code-update'], payload: { code } });
      expect(await a.cluster.append(roomId, [change('one')], { kind: 'code-change', base: 0, hash: 'h1' })).toMatchObject({ status: 'published', last: 1 });
      expect(await b.cluster.append(roomId, [change('two')], { kind: 'code-change', base: 0, hash: 'h2' })).toEqual({ status: 'stale', codeSequence: 1 });
      expect(await b.cluster.append(roomId, [change('one')], { kind: 'code-fold', hash: 'h1' })).toEqual({ status: 'skipped' });
      expect(await b.cluster.append(roomId, [change('two')], { kind: 'code-change', base: 1, hash: 'h2' })).toMatchObject({ status: 'published', last: 2 });
    });
  });

  describe("when a user's connections join and leave on two nodes", () => {
    it('should announce the user once, at a stream point list it once, and drop a dead node\u2019s connections', async () => {
      const roomId = `room-${randomUUID()}`;
      const a = await node();
      const b = await node();
      const member = (connectionId: string, userId: string) => ({ connectionId, userId, displayName: userId, avatar: null, role: 'user' as const });
      const joined = (userId: string): ClusterRoomEvent => ({ names: ['user-joined'], payload: { userId } });
      await a.cluster.join(roomId, member('c1', 'ann'), joined('ann'));
      await b.cluster.join(roomId, member('c2', 'ann'), joined('ann'));
      await b.cluster.join(roomId, member('c3', 'ben'), joined('ben'));
      await a.cluster.barrier(roomId, 'point-1');
      await until(() => a.received.points.length === 1, 'the stream point');
      const { point } = a.received.points[0]!;
      expect(point.sequence).toBe(2);
      expect(point.users.map((user) => [user.userId, user.connections])).toEqual([['ann', 2], ['ben', 1]]);
      expect(a.received.sequenced.map((entry) => entry.payload.userId)).toEqual(['ann', 'ben']);
      // Node b goes away without its connections leaving: its alive key is gone (a dead node's expires), its fields stay.
      await b.cluster.close();
      await a.cluster.barrier(roomId, 'point-2');
      await until(() => a.received.points.length === 2, 'the second stream point');
      expect(a.received.points[1]!.point.users.map((user) => [user.userId, user.connections])).toEqual([['ann', 1]]);
      // The last connection of a user leaving announces it, with the users that remain.
      await a.cluster.leave(roomId, 'c1', { names: ['user-left'], payload: { userId: 'ann' } });
      await until(() => a.received.sequenced.length === 3, 'user-left');
      expect(a.received.sequenced[2]!.payload).toMatchObject({ userId: 'ann', users: [] });
    });
  });
});
