// Position diffs over the projected order, and once-per-tick coalescing.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { CoalescedTask, PositionBook, type PlacedJob } from './position-changes.js';

function placed(id: string, roomId: string | null, position: number, roomPosition: number | null): PlacedJob {
  return { job: { id, roomId, userId: `u-${id}` }, place: { position, roomPosition } };
}

describe('PositionBook', () => {
  describe('when some jobs moved', () => {
    it('should list only those, and nothing on a second pass', () => {
      const book = new PositionBook();
      book.diff([placed('a', 'r', 1, 1), placed('b', null, 2, null), placed('c', 'r', 3, 2)]);
      const after = [placed('urgent', null, 1, null), placed('a', 'r', 2, 1), placed('c', 'r', 3, 2)];
      expect(book.diff(after)).toEqual([
        { jobId: 'urgent', roomId: null, userId: 'u-urgent', position: 1, roomPosition: null },
        { jobId: 'a', roomId: 'r', userId: 'u-a', position: 2, roomPosition: 1 },
      ]);
      expect(book.diff(after)).toEqual([]);
      expect(book.size).toBe(3);
    });
  });

  describe('when a place was announced with the job', () => {
    it('should not announce it again', () => {
      const book = new PositionBook();
      book.note('a', { position: 1, roomPosition: null });
      expect(book.diff([placed('a', null, 1, null)])).toEqual([]);
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

  describe('when a pass awaits a slow read', () => {
    it('should count the awaited time and space the next pass out by it', async () => {
      const runs: number[] = [];
      const task = new CoalescedTask(async () => {
        runs.push(performance.now());
        // 20 ms awaited (a script holding Redis), no CPU spent here.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }, 0.25);
      task.request();
      await new Promise((resolve) => setImmediate(resolve));
      task.request();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(runs).toHaveLength(2);
      // 20 ms of pass at a 25 % share: the next starts no sooner than 20 + 60 ms after the first.
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(20 + 60 - 2);
    });

    it('should not overlap passes, and run once more for requests made during one', async () => {
      let running = 0;
      let overlapped = false;
      let runs = 0;
      const task = new CoalescedTask(async () => {
        runs += 1;
        running += 1;
        if (running > 1) overlapped = true;
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
      });
      task.request();
      await new Promise((resolve) => setImmediate(resolve));
      task.request();
      task.request();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(overlapped).toBe(false);
      expect(runs).toBe(2);
    });
  });

  describe('when the share is out of range', () => {
    it('should refuse it', () => {
      expect(() => new CoalescedTask(() => undefined, 0)).toThrow(RangeError);
    });
  });
});
