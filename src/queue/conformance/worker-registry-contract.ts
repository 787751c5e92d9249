// The WorkerRegistry contract suite: the memory and the Redis registry pass the same rows.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerAnnouncement, WorkerRegistry } from '../worker-registry.js';

/** A worker with a fresh id; fields as given. */
export function makeWorker(fields: Partial<WorkerAnnouncement> = {}): WorkerAnnouncement {
  return { id: `worker-${randomUUID()}`, host: 'host-a', pid: 4242, languages: ['python'], slots: 2, running: 0, startedAt: 1_700_000_000_000, ...fields };
}

/**
 * Declares the contract under `name`. `makeRegistry` returns a fresh, empty registry (closed after each test);
 * `makeRegistry(shared)` a second view of the same one (another node). `expire(ms)` lets that much registry time pass
 * (a real wait for Redis, a clock step for memory).
 */
export function describeWorkerRegistryContract(
  name: string,
  setup: { makeRegistry(): Promise<{ registry: WorkerRegistry; otherView(): Promise<WorkerRegistry> }>; expire(ms: number): Promise<void>; ttlMs: number },
): void {
  describe(`${name} (WorkerRegistry contract)`, () => {
    const made: WorkerRegistry[] = [];
    afterEach(async () => {
      await Promise.all(made.splice(0).map((registry) => registry.close()));
    });
    async function fresh(): Promise<{ registry: WorkerRegistry; otherView(): Promise<WorkerRegistry> }> {
      const made_ = await setup.makeRegistry();
      made.push(made_.registry);
      return {
        registry: made_.registry,
        otherView: async () => {
          const view = await made_.otherView();
          made.push(view);
          return view;
        },
      };
    }

    describe('when a worker heartbeats', () => {
      it('should list it with what it announced and a last heartbeat', async () => {
        const { registry } = await fresh();
        const worker = makeWorker({ languages: ['python', 'cpp'], slots: 3, running: 1 });
        await registry.heartbeat(worker, setup.ttlMs);
        const [listed, ...rest] = await registry.list();
        expect(rest).toEqual([]);
        expect(listed).toMatchObject({ ...worker, languages: ['python', 'cpp'] });
        expect(listed!.lastHeartbeat).toBeGreaterThan(0);
        expect(await registry.servedLanguages()).toEqual(new Set(['python', 'cpp']));
      });

      it('should renew the entry and take the new running count', async () => {
        const { registry } = await fresh();
        const worker = makeWorker();
        await registry.heartbeat(worker, setup.ttlMs);
        const first = (await registry.list())[0]!.lastHeartbeat;
        await setup.expire(Math.floor(setup.ttlMs / 2));
        await registry.heartbeat({ ...worker, running: 2 }, setup.ttlMs);
        const [renewed] = await registry.list();
        expect(renewed!.running).toBe(2);
        expect(renewed!.lastHeartbeat).toBeGreaterThan(first);
        // Past the first beat's expiry, alive through the second.
        await setup.expire(Math.floor(setup.ttlMs / 2) + Math.floor(setup.ttlMs / 10));
        expect((await registry.list()).map((listed) => listed.id)).toEqual([worker.id]);
      });

      it('should list several workers by id and serve the union of their languages', async () => {
        const { registry } = await fresh();
        const a = makeWorker({ id: 'worker-a', languages: ['python'] });
        const b = makeWorker({ id: 'worker-b', languages: ['c', 'cpp'] });
        await registry.heartbeat(b, setup.ttlMs);
        await registry.heartbeat(a, setup.ttlMs);
        expect((await registry.list()).map((listed) => listed.id)).toEqual(['worker-a', 'worker-b']);
        expect(await registry.servedLanguages()).toEqual(new Set(['python', 'c', 'cpp']));
      });
    });

    describe('when a worker stops heartbeating', () => {
      it('should drop it once its time to live has passed, with its languages', async () => {
        const { registry } = await fresh();
        const stays = makeWorker({ languages: ['python'] });
        const dies = makeWorker({ languages: ['c'] });
        await registry.heartbeat(dies, setup.ttlMs);
        await registry.heartbeat(stays, setup.ttlMs * 10);
        await setup.expire(setup.ttlMs + 50);
        expect((await registry.list()).map((listed) => listed.id)).toEqual([stays.id]);
        expect(await registry.servedLanguages()).toEqual(new Set(['python']));
      });
    });

    describe('when a worker deregisters', () => {
      it('should drop it at once; an unknown id is ignored', async () => {
        const { registry } = await fresh();
        const worker = makeWorker({ languages: ['go'] });
        await registry.heartbeat(worker, setup.ttlMs * 10);
        await registry.deregister(worker.id);
        await registry.deregister('worker-never-seen');
        expect(await registry.list()).toEqual([]);
        expect(await registry.servedLanguages()).toEqual(new Set());
      });
    });

    describe('when the registry answers', () => {
      it('should resolve ping', async () => {
        const { registry } = await fresh();
        await expect(registry.ping()).resolves.toBeUndefined();
      });
    });

    describe('when two views share one registry', () => {
      it('should show each the other\'s workers', async () => {
        const { registry, otherView } = await fresh();
        const other = await otherView();
        const worker = makeWorker();
        await other.heartbeat(worker, setup.ttlMs * 10);
        expect((await registry.list()).map((listed) => listed.id)).toEqual([worker.id]);
        await registry.deregister(worker.id);
        expect(await other.list()).toEqual([]);
      });
    });
  });
}
