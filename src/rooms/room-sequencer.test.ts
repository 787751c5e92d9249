import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limiter.js';
import { RoomSequencer } from './room-sequencer.js';

describe('RoomSequencer', () => {
  describe('when tasks of one room overlap', () => {
    it('should run them one after another, in order, even when one fails', async () => {
      let last = 0;
      const sequencer = new RoomSequencer({ nextRoomSequence: async (_room, count = 1) => (last += count) });
      const seen: number[] = [];
      const slow = sequencer.run('r', async () => {
        const first = await sequencer.allocate('r', 2);
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push(first, first + 1);
      });
      const failing = sequencer.run('r', async () => {
        throw new Error('boom');
      });
      const fast = sequencer.run('r', async () => seen.push(await sequencer.allocate('r')));
      await Promise.allSettled([slow, failing, fast]);
      await expect(failing).rejects.toThrow('boom');
      expect(seen).toEqual([1, 2, 3]);
    });
  });
});

describe('TokenBucket', () => {
  describe('when events come faster than the refill', () => {
    it('should allow the burst, refuse the rest, and recover as time passes', () => {
      let now = 0;
      const bucket = new TokenBucket({ burst: 3, perSecond: 2 }, () => now);
      expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
      now = 500;
      expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    });
  });
});
