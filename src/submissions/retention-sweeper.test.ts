// The retention sweeper deletes what is older than the configured days and survives a failing store.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.js';
import type { Store } from '../store/store.js';
import { RetentionSweeper } from './retention-sweeper.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function storeWith(sweep: (before: Date) => Promise<number>): Store {
  return { sweep } as unknown as Store;
}

describe('RetentionSweeper', () => {
  it('should sweep everything created before now minus the retention period', async () => {
    const cutoffs: Date[] = [];
    const sweeper = new RetentionSweeper(storeWith(async (before) => (cutoffs.push(before), 4)), { days: 30, sweepIntervalMs: 1000 }, silentLogger());
    const now = Date.UTC(2026, 10, 22);
    expect(await sweeper.sweepNow(now)).toBe(4);
    expect(cutoffs).toEqual([new Date(now - 30 * DAY_MS)]);
  });

  describe('when the store fails', () => {
    it('should report nothing swept and keep going', async () => {
      let calls = 0;
      const sweeper = new RetentionSweeper(
        storeWith(async () => {
          calls++;
          if (calls === 1) throw new Error('database is locked');
          return 1;
        }),
        { days: 1, sweepIntervalMs: 1000 },
        silentLogger(),
      );
      expect(await sweeper.sweepNow()).toBe(0);
      expect(await sweeper.sweepNow()).toBe(1);
    });
  });

  it('should sweep at start and then on its interval until stopped', async () => {
    let calls = 0;
    const sweeper = new RetentionSweeper(storeWith(async () => (calls++, 0)), { days: 1, sweepIntervalMs: 20 }, silentLogger());
    sweeper.start();
    await new Promise((resolve) => setTimeout(resolve, 75));
    sweeper.stop();
    const afterStop = calls;
    expect(afterStop).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(afterStop);
  });
});
