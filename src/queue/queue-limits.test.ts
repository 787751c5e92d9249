// The queue's caps as read from the scheduler configuration.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { queueLimitsFromConfig } from './queue-limits.js';

function limitsFor(scheduler: Record<string, unknown>) {
  const flags = Object.fromEntries(Object.entries(scheduler).map(([key, value]) => [`scheduler.${key}`, value]));
  return queueLimitsFromConfig(loadConfig({ env: {}, flags }).scheduler);
}

describe('queueLimitsFromConfig', () => {
  describe('when userMaxRunning is not set', () => {
    it('should leave one slot that a single user cannot take', () => {
      expect(limitsFor({ maxConcurrent: 4 }).userMaxRunning).toBe(3);
      expect(limitsFor({ maxConcurrent: 2 }).userMaxRunning).toBe(1);
    });

    it('should still let a user run on a one-slot node', () => {
      expect(limitsFor({ maxConcurrent: 1 }).userMaxRunning).toBe(1);
    });
  });

  describe('when the caps are configured', () => {
    it('should pass every one of them through', () => {
      expect(limitsFor({ maxConcurrent: 8, maxQueued: 500, roomMaxRunning: 2, roomMaxQueued: 7, userMaxQueued: 20, userMaxRunning: 8, keyMaxQueued: 300 })).toEqual({
        maxConcurrent: 8,
        maxQueued: 500,
        roomMaxRunning: 2,
        roomMaxQueued: 7,
        userMaxQueued: 20,
        userMaxRunning: 8,
        keyMaxQueued: 300,
      });
    });

    it('should default to 50 queued per user and 1000 per API key', () => {
      expect(limitsFor({})).toMatchObject({ userMaxQueued: 50, keyMaxQueued: 1000 });
    });
  });
});
