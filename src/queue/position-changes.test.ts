// Position diffs over the projected order, and once-per-tick coalescing.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { DispatchOrder } from './dispatch-order.js';
import { CoalescedTask, collectPositionChanges, type PositionTracked } from './position-changes.js';

function tracked(id: string, roomId: string | null, priority = 1): PositionTracked {
  return { id, roomId, userId: `u-${id}`, priority, reportedPosition: 0, reportedRoomPosition: null };
}

describe('collectPositionChanges', () => {
  describe('when some items moved', () => {
    it('should list only those, and nothing on a second pass', () => {
      const order = new DispatchOrder<PositionTracked>();
      const items = [tracked('a', 'r'), tracked('b', null), tracked('c', 'r')];
      for (const item of items) order.add(item);
      collectPositionChanges(order);
      order.add(tracked('urgent', null, 5));
      order.remove(items[1]!);
      expect(collectPositionChanges(order)).toEqual([
        { jobId: 'urgent', roomId: null, userId: 'u-urgent', position: 1, roomPosition: null },
        { jobId: 'a', roomId: 'r', userId: 'u-a', position: 2, roomPosition: 1 },
      ]);
      expect(collectPositionChanges(order)).toEqual([]);
    });
  });
});

describe('CoalescedTask', () => {
  describe('when requested several times in one tick', () => {
    it('should run once on the next turn', async () => {
      let runs = 0;
      const task = new CoalescedTask(() => {
        runs += 1;
      });
      task.request();
      task.request();
      await Promise.resolve();
      expect(runs).toBe(0);
      await new Promise((resolve) => setImmediate(resolve));
      expect(runs).toBe(1);
    });
  });

  describe('when cancelled', () => {
    it('should not run', async () => {
      let runs = 0;
      const task = new CoalescedTask(() => {
        runs += 1;
      });
      task.request();
      task.cancel();
      await new Promise((resolve) => setImmediate(resolve));
      expect(runs).toBe(0);
    });
  });
});

describe('CoalescedTask with a CPU share', () => {
  describe('when a pass is slow', () => {
    it('should space the next pass out in proportion', async () => {
      const runs: number[] = [];
      const task = new CoalescedTask(() => {
        runs.push(performance.now());
        const until = performance.now() + 5;
        while (performance.now() < until) {
          // Busy for 5 ms, standing in for a pass over a long queue.
        }
      }, 0.25);
      task.request();
      await new Promise((resolve) => setImmediate(resolve));
      task.request();
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(runs).toHaveLength(2);
      // 5 ms of work at a 25 % share: at least 15 ms of rest before the next pass.
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(5 + 15 - 1);
    });
  });

  describe('when the share is out of range', () => {
    it('should refuse it', () => {
      expect(() => new CoalescedTask(() => undefined, 0)).toThrow(RangeError);
    });
  });
});
