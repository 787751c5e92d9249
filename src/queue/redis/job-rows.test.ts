// Tests the decoding of script rows: nulls stand in as '' and 0, since Lua tables cannot hold nil.
import { describe, expect, it } from 'vitest';
import { decodeCounts, decodeJob, decodePlace } from './job-rows.js';

describe('job rows', () => {
  describe('when a queued job is decoded', () => {
    it('should read an empty startedAt as null and keep the spec', () => {
      const spec = { id: 'j1', priority: 1, lane: 'room:r', roomId: 'r', userId: 'ada', keyId: null, enqueuedAt: 5, data: { id: 'j1' } };
      expect(decodeJob(['j1', JSON.stringify(spec), 'queued', '', '0'])).toEqual({ ...spec, state: 'queued', startedAt: null, attempts: 0 });
    });
  });

  describe('when an active job is decoded', () => {
    it('should read its start time and attempts as numbers', () => {
      const spec = { id: 'j2', priority: 1, lane: 'user:ada', roomId: null, userId: 'ada', keyId: 'k', enqueuedAt: 5, data: { id: 'j2' } };
      expect(decodeJob(['j2', JSON.stringify(spec), 'active', '1700000000123', 2])).toMatchObject({ state: 'active', startedAt: 1_700_000_000_123, attempts: 2 });
    });
  });

  describe('when places and counts are decoded', () => {
    it('should read a room position of 0 as none, and pair a flat reply', () => {
      expect(decodePlace(3, 0)).toEqual({ position: 3, roomPosition: null });
      expect(decodePlace('4', '2')).toEqual({ position: 4, roomPosition: 2 });
      expect([...decodeCounts(['r1', '2', 'r2', '1'])]).toEqual([['r1', 2], ['r2', 1]]);
    });
  });
});
