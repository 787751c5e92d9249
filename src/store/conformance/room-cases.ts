// Conformance cases for room state: sequences, code, binary documents and execution counts.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { at } from './fixtures.js';
import type { StoreHarness } from './harness.js';

function roomId(): string {
  return `room-${randomUUID()}`;
}

export function describeRoomCases(harness: StoreHarness): void {
  describe('when room sequences advance', () => {
    it('should create the room on first use and count from there', async () => {
      const store = await harness.fresh();
      const id = roomId();
      expect(await store.getRoom(id)).toBeNull();
      expect(await store.nextRoomSequence(id)).toBe(1);
      expect(await store.nextRoomSequence(id, 5)).toBe(6);
      expect(await store.nextRoomSequence(id, 0)).toBe(6);
      expect(await store.getRoom(id)).toMatchObject({ roomId: id, code: '', language: null, sequence: 6, document: null, executionCount: 0, lastExecutionAt: null });
    });

    it('should hand out unique, gap-free numbers to concurrent callers', async () => {
      const store = await harness.fresh();
      const id = roomId();
      const other = roomId();
      const results = await Promise.all(Array.from({ length: 100 }, (_, index) => store.nextRoomSequence(index % 4 === 0 ? other : id)));
      const ours = results.filter((_, index) => index % 4 !== 0).sort((a, b) => a - b);
      expect(ours).toEqual(Array.from({ length: 75 }, (_, index) => index + 1));
      expect(await store.getRoom(other)).toMatchObject({ sequence: 25 });
    });
  });

  describe('when room state is saved', () => {
    it('should keep code and language without touching the sequence', async () => {
      const store = await harness.fresh();
      const id = roomId();
      await store.nextRoomSequence(id, 3);
      await store.saveRoomCode(id, 'print("héllo 🌍")\n', 'python');
      expect(await store.getRoom(id)).toMatchObject({ code: 'print("héllo 🌍")\n', language: 'python', sequence: 3 });
      await store.saveRoomCode(id, '', null);
      expect(await store.getRoom(id)).toMatchObject({ code: '', language: null, sequence: 3 });
    });

    it('should round-trip a binary document byte for byte', async () => {
      const store = await harness.fresh();
      const id = roomId();
      const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index);
      await store.saveRoomDocument(id, everyByte);
      expect((await store.getRoom(id))?.document).toEqual(everyByte);

      const large = new Uint8Array(randomBytes(64 * 1024));
      await store.saveRoomDocument(id, large);
      expect((await store.getRoom(id))?.document).toEqual(large);

      // A view into a larger buffer stores only the viewed bytes.
      await store.saveRoomDocument(id, large.subarray(10, 20));
      expect((await store.getRoom(id))?.document).toEqual(large.slice(10, 20));

      await store.saveRoomDocument(id, new Uint8Array(0));
      expect((await store.getRoom(id))?.document).toEqual(new Uint8Array(0));
    });

    it('should count executions and remember the last one', async () => {
      const store = await harness.fresh();
      const id = roomId();
      await store.recordRoomExecution(id, at(10));
      await store.recordRoomExecution(id, at(20));
      const room = await store.getRoom(id);
      expect(room).toMatchObject({ executionCount: 2, lastExecutionAt: at(20), sequence: 0, code: '' });
      expect(room?.updatedAt).toBeInstanceOf(Date);
    });
  });
}
