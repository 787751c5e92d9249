// The concurrency helper never exceeds its window, keeps order and reports failures.
import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './map-concurrent.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe('when mapping with a window of 3', () => {
  it('should never run more than 3 at once and keep the order of results', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapConcurrent([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await tick();
      running--;
      return item * 10;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('should stop starting new work after a failure and reject with it', async () => {
    const started: number[] = [];
    const attempt = mapConcurrent([1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick();
      if (item === 1) throw new Error('boom');
      return item;
    });
    await expect(attempt).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(5);
  });

  it('should handle no items', async () => {
    expect(await mapConcurrent([], 3, async () => 1)).toEqual([]);
  });
});
