// Leasing host uids to slots.
import { describe, expect, it } from 'vitest';
import { UidPool } from './uid-pool.js';

describe('UidPool', () => {
  describe('when uids are leased and returned', () => {
    it('should hand out distinct uids round-robin and null when exhausted', () => {
      const pool = new UidPool(61000, 3);
      expect([pool.acquire(), pool.acquire(), pool.acquire()]).toEqual([61000, 61001, 61002]);
      expect(pool.acquire()).toBeNull();
      pool.release(61000);
      expect(pool.acquire()).toBe(61000);
      expect(pool.inUse).toBe(3);
      expect(pool.capacity).toBe(3);
    });

    it('should not hand a just-returned uid out again while others are free', () => {
      const pool = new UidPool(61000, 3);
      const first = pool.acquire()!;
      pool.release(first);
      expect(pool.acquire()).toBe(61001);
    });
  });

  describe('when the range would include root', () => {
    it('should refuse it', () => {
      expect(() => new UidPool(0, 10)).toThrow(RangeError);
      expect(() => new UidPool(1000, 0)).toThrow(RangeError);
    });
  });
});
