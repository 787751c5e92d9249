// persistently(): retries only an unreachable store, backs off, and stops when told to or at its deadline.
import { describe, expect, it } from 'vitest';
import { AppError, STORE_ERRORS } from '../errors/index.js';
import { persistently } from './store-retry.js';

const unavailable = () => new AppError(STORE_ERRORS.unavailable, 'the database cannot be reached');

describe('persistently', () => {
  describe('when the store is unreachable for a while', () => {
    it('should retry until the write succeeds, with growing pauses', async () => {
      let calls = 0;
      const delays: number[] = [];
      const result = await persistently(
        async () => {
          calls += 1;
          if (calls < 4) throw unavailable();
          return 'stored';
        },
        { initialDelayMs: 1, onRetry: (_error, delayMs) => delays.push(delayMs) },
      );
      expect(result).toBe('stored');
      expect(delays).toEqual([1, 2, 4]);
    });
  });

  describe('when the error is not about reachability', () => {
    it('should throw it at once', async () => {
      let calls = 0;
      const refused = new AppError(STORE_ERRORS.queryFailed, 'bad query');
      await expect(persistently(() => { calls += 1; return Promise.reject(refused); }, { initialDelayMs: 1 })).rejects.toBe(refused);
      expect(calls).toBe(1);
    });
  });

  describe('when told to give up or past its deadline', () => {
    it('should throw the last error', async () => {
      await expect(persistently(() => Promise.reject(unavailable()), { initialDelayMs: 1, giveUp: () => true })).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
      await expect(persistently(() => Promise.reject(unavailable()), { initialDelayMs: 5, maxTotalMs: 20 })).rejects.toMatchObject({ code: 'RUNLANE_ERR_STORE_UNAVAILABLE' });
    });
  });
});
