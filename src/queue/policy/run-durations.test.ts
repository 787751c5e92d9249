// Recent run durations: medians per room with a node-wide fallback, bounded memory.
import { describe, expect, it } from 'vitest';
import { RunDurations } from './run-durations.js';

describe('RunDurations', () => {
  describe('when nothing has run', () => {
    it('should have no estimate', () => {
      expect(new RunDurations({ samples: 3, maxRooms: 2 }).typicalMs('room')).toBeNull();
    });
  });

  describe('when runs finished', () => {
    it('should give the median of the latest samples of the room', () => {
      const durations = new RunDurations({ samples: 3, maxRooms: 10 });
      for (const ms of [100, 9000, 200, 300]) durations.record('room', ms);
      // 100 fell out of the window of 3.
      expect(durations.typicalMs('room')).toBe(300);
    });

    it('should fall back to the node-wide median for a room without history', () => {
      const durations = new RunDurations({ samples: 4, maxRooms: 10 });
      durations.record('a', 100);
      durations.record(null, 300);
      expect(durations.typicalMs('b')).toBe(200);
      expect(durations.typicalMs()).toBe(200);
    });
  });

  describe('when more rooms are active than tracked', () => {
    it('should forget the least recently active room', () => {
      const durations = new RunDurations({ samples: 2, maxRooms: 2 });
      durations.record('a', 1000);
      durations.record('b', 10);
      durations.record('a', 1000);
      durations.record('c', 10);
      expect(durations.typicalMs('a')).toBe(1000);
      // b is forgotten: it falls back to the node-wide median of 1000 and 10.
      expect(durations.typicalMs('b')).toBe(505);
    });
  });
});
