// The fair dispatch order: priorities, FIFO, round-robin across lanes, room running caps, and projected places.
import { describe, expect, it } from 'vitest';
import { DispatchOrder, type Schedulable } from './dispatch-order.js';

interface Item extends Schedulable {
  label: string;
}

let counter = 0;
function item(label: string, roomId: string | null, priority = 1, userId = `u-${label}`): Item {
  counter += 1;
  return { id: `${label}-${counter}`, label, roomId, userId, priority };
}

function takeAll(order: DispatchOrder<Item>, mayStart: (item: Item) => boolean = () => true): string[] {
  const labels: string[] = [];
  for (let next = order.takeNext(mayStart); next; next = order.takeNext(mayStart)) labels.push(next.label);
  return labels;
}

function projected(order: DispatchOrder<Item>): string[] {
  const labels: string[] = [];
  order.forEachInOrder((entry) => labels.push(entry.label));
  return labels;
}

/** Small deterministic PRNG so the randomised check is reproducible. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('DispatchOrder', () => {
  describe('when jobs have different priorities', () => {
    it('should take higher priority first and keep FIFO within a level', () => {
      const order = new DispatchOrder<Item>();
      for (const entry of [item('l1', 'a'), item('l2', 'b'), item('h1', 'c', 5), item('l3', 'd'), item('h2', 'e', 5)]) order.add(entry);
      expect(takeAll(order)).toEqual(['h1', 'h2', 'l1', 'l2', 'l3']);
    });
  });

  describe('when one room floods the queue', () => {
    it('should let another room through after at most one of the flooding room', () => {
      const order = new DispatchOrder<Item>();
      for (let index = 0; index < 10; index += 1) order.add(item(`a${index}`, 'flood'));
      order.add(item('b0', 'quiet'));
      expect(takeAll(order).slice(0, 2)).toEqual(['a0', 'b0']);
    });

    it('should alternate between busy rooms', () => {
      const order = new DispatchOrder<Item>();
      for (let index = 0; index < 3; index += 1) order.add(item(`a${index}`, 'a'));
      for (let index = 0; index < 3; index += 1) order.add(item(`b${index}`, 'b'));
      expect(takeAll(order)).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    });
  });

  describe('when jobs have no room', () => {
    it('should give each user their own lane', () => {
      const order = new DispatchOrder<Item>();
      for (let index = 0; index < 3; index += 1) order.add(item(`x${index}`, null, 1, 'x'));
      order.add(item('y0', null, 1, 'y'));
      expect(takeAll(order)).toEqual(['x0', 'y0', 'x1', 'x2']);
    });
  });

  describe('when a room is at its running cap', () => {
    it('should skip the room without blocking others and keep its turn', () => {
      const order = new DispatchOrder<Item>();
      order.add(item('a0', 'a'));
      order.add(item('b0', 'b'));
      order.add(item('b1', 'b'));
      expect(takeAll(order, (entry) => entry.roomId !== 'a')).toEqual(['b0', 'b1']);
      expect(takeAll(order)).toEqual(['a0']);
    });
  });

  describe('when a lane\'s head may not start (its user or room is at a running cap)', () => {
    it('should skip that lane, keep its turn and take the next lane\'s head', () => {
      const order = new DispatchOrder<Item>();
      order.add(item('x0', null, 1, 'x'));
      order.add(item('y0', 'room', 1, 'y'));
      order.add(item('z0', null, 1, 'z'));
      expect(takeAll(order, (entry) => entry.userId !== 'x')).toEqual(['y0', 'z0']);
      expect(takeAll(order)).toEqual(['x0']);
    });
  });

  describe('when items are counted per user and per key', () => {
    it('should count each user\'s and each key\'s queued items across rooms and forget them at zero', () => {
      const order = new DispatchOrder<Item>();
      const a = { ...item('a0', 'r1', 1, 'ada'), keyId: 'k1' };
      const b = { ...item('a1', null, 1, 'ada'), keyId: 'k1' };
      const c = { ...item('g0', 'r2', 1, 'grace'), keyId: 'k1' };
      const d = item('g1', null, 1, 'grace');
      for (const entry of [a, b, c, d]) order.add(entry);
      expect([order.queuedOfUser('ada'), order.queuedOfUser('grace'), order.queuedOfKey('k1')]).toEqual([2, 2, 3]);
      order.remove(b);
      expect(order.takeNext(() => true)).toBe(a);
      expect([order.queuedOfUser('ada'), order.queuedOfUser('grace'), order.queuedOfKey('k1')]).toEqual([0, 2, 1]);
      order.drain();
      expect([order.queuedOfUser('grace'), order.queuedOfKey('k1')]).toEqual([0, 0]);
    });
  });

  describe('when an item is removed', () => {
    it('should close the gap and forget empty lanes', () => {
      const order = new DispatchOrder<Item>();
      const kept = item('a0', 'a');
      const removed = item('a1', 'a');
      order.add(kept);
      order.add(removed);
      expect(order.remove(removed)).toBe(true);
      expect(order.remove(removed)).toBe(false);
      expect(order.queuedInRoom('a')).toBe(1);
      expect(order.remove(kept)).toBe(true);
      expect(order.size).toBe(0);
      expect(order.queuedInRoom('a')).toBe(0);
    });
  });

  describe('when asked for places', () => {
    it('should number room positions in room order across priorities', () => {
      const order = new DispatchOrder<Item>();
      const low = item('low', 'r', 1);
      const high = item('high', 'r', 3, 'other');
      const roomless = item('solo', null, 2);
      order.add(low);
      order.add(roomless);
      order.add(high);
      expect(order.placeOf(high)).toEqual({ position: 1, roomPosition: 1 });
      expect(order.placeOf(roomless)).toEqual({ position: 2, roomPosition: null });
      expect(order.placeOf(low)).toEqual({ position: 3, roomPosition: 2 });
      expect(order.roomItems('r').map((entry) => entry.label)).toEqual(['high', 'low']);
    });

    it('should agree with the projection and with actual dispatch under random traffic', () => {
      const random = mulberry32(42);
      const order = new DispatchOrder<Item>();
      const live: Item[] = [];
      for (let step = 0; step < 2000; step += 1) {
        const roll = random();
        if (roll < 0.6 || live.length === 0) {
          const roomId = random() < 0.2 ? null : `r${Math.floor(random() * 8)}`;
          const entry = item(`s${step}`, roomId, 1 + Math.floor(random() * 3), `u${Math.floor(random() * 5)}`);
          order.add(entry);
          live.push(entry);
        } else if (roll < 0.8) {
          const [victim] = live.splice(Math.floor(random() * live.length), 1);
          expect(order.remove(victim!)).toBe(true);
        } else {
          const taken = order.takeNext(() => true)!;
          live.splice(live.indexOf(taken), 1);
        }
        if (step % 97 === 0) {
          const places = new Map<string, number>();
          order.forEachInOrder((entry, place) => {
            places.set(entry.id, place.position);
            expect(order.placeOf(entry)).toEqual(place);
          });
          expect(places.size).toBe(live.length);
        }
      }
      const expected = projected(order);
      expect(takeAll(order)).toEqual(expected);
    });
  });

  describe('when drained', () => {
    it('should return everything in projected order and be empty', () => {
      const order = new DispatchOrder<Item>();
      order.add(item('a0', 'a'));
      order.add(item('a1', 'a'));
      order.add(item('b0', 'b', 2));
      expect(order.drain().map((entry) => entry.label)).toEqual(['b0', 'a0', 'a1']);
      expect(order.size).toBe(0);
      expect(order.takeNext(() => true)).toBeUndefined();
    });
  });
});
