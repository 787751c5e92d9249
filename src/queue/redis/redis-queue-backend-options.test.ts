// Tests the Redis backend's option defaults and the checks that name a bad field.
import { describe, expect, it } from 'vitest';
import { resolveRedisQueueBackendOptions } from './redis-queue-backend-options.js';

describe('resolveRedisQueueBackendOptions', () => {
  describe('when only the url is given', () => {
    it('should apply every default and freeze the result', () => {
      const options = resolveRedisQueueBackendOptions({ url: 'redis://cache:6379' });
      expect(options).toMatchObject({ url: 'redis://cache:6379', prefix: 'queue', sweepIntervalMs: 250, largeEventBytes: 262_144, parkedResultTtlMs: 300_000, maxAttempts: 50 });
      expect(Object.isFrozen(options)).toBe(true);
    });
  });

  describe('when a value is out of range', () => {
    it.each([
      [{ prefix: 'has space' }, /prefix/],
      [{ prefix: 'a:b' }, /prefix/],
      [{ sweepIntervalMs: 0 }, /sweepIntervalMs/],
      [{ maxAttempts: 1.5 }, /maxAttempts/],
    ])('should refuse %o naming the field', (bad, field) => {
      expect(() => resolveRedisQueueBackendOptions({ url: 'redis://cache:6379', ...bad })).toThrow(field);
    });
  });
});
