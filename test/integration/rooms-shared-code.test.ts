// Shared code in rooms: Yjs convergence, late joiners, persistence across a restart, and code-change/code-update consistency.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/http.js';
import { connect, createRealtimeStack, EventRecorder, request, YjsPeer, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

describe('rooms: shared code', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];
  const peers: YjsPeer[] = [];

  beforeAll(async () => {
    stack = await createRealtimeStack({}, { realtime: { persistDebounceMs: 50, codeUpdateIntervalMs: 30 } });
  });
  afterEach(() => {
    for (const peer of peers.splice(0)) peer.destroy();
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => stack?.close());

  async function client(target: RealtimeStack, name: string): Promise<{ socket: Socket; events: EventRecorder; userId: string }> {
    const user = await makeUser(name);
    const socket = await connect(target.url, { token: user.token });
    sockets.push(socket);
    return { socket, events: new EventRecorder(socket), userId: user.userId };
  }

  /** A Yjs editor joined to the room and synced both ways. */
  async function editor(target: RealtimeStack, roomId: string, name: string): Promise<{ peer: YjsPeer; socket: Socket; events: EventRecorder }> {
    const { socket, events } = await client(target, name);
    const peer = new YjsPeer(socket, roomId);
    peers.push(peer);
    expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
    peer.sync();
    return { peer, socket, events };
  }

  describe('when two clients type at the same time', () => {
    it('should converge both documents to the same text and fold it into code-update for plain clients', async () => {
      const roomId = `room-${randomUUID()}`;
      const alice = await editor(stack, roomId, 'Alice');
      const bob = await editor(stack, roomId, 'Bob');
      const plain = await client(stack, 'Plain');
      await request(plain.socket, 'join-room', { roomId });

      // Interleaved keystrokes from both sides, without waiting for each other.
      for (let index = 0; index < 20; index += 1) {
        alice.peer.text.insert(0, 'a');
        bob.peer.text.insert(bob.peer.text.length, 'b');
        if (index % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(await eventually(() => alice.peer.content === bob.peer.content && alice.peer.content.length === 40)).toBe(true);
      // The interleaving depends on timing; both sides' keystrokes are all there, and both sides agree.
      expect([...alice.peer.content].sort().join('')).toBe(`${'a'.repeat(20)}${'b'.repeat(20)}`);

      const update = await plain.events.waitFor('code-update', (event) => event.code === alice.peer.content);
      expect(update).toMatchObject({ roomId, source: 'document' });
    });
  });

  describe('when a client joins late', () => {
    it('should receive the same text through Yjs and in room-state', async () => {
      const roomId = `room-${randomUUID()}`;
      const first = await editor(stack, roomId, 'First');
      first.peer.text.insert(0, 'def main():\n    return 42\n');
      await first.events.waitFor('code-update', (event) => event.code === first.peer.content);

      const late = await editor(stack, roomId, 'Late');
      expect(await eventually(() => late.peer.content === first.peer.content)).toBe(true);
      const state = await late.events.waitFor('room-state');
      expect(state.code).toBe(first.peer.content);
    });
  });

  describe('when a plain client sends code-change', () => {
    it('should replace the Yjs text, and reject a change based on an older sequence with the current state', async () => {
      const roomId = `room-${randomUUID()}`;
      const yjs = await editor(stack, roomId, 'Editor');
      const plain = await client(stack, 'Plain');
      const joined = await request(plain.socket, 'join-room', { roomId });

      const applied = await request(plain.socket, 'code-change', { roomId, code: 'print("v1")', sequence: joined.sequence, language: 'python' });
      expect(applied).toMatchObject({ ok: true, changed: true });
      expect(await eventually(() => yjs.peer.content === 'print("v1")')).toBe(true);
      const update = await yjs.events.waitFor('code-update', (event) => event.code === 'print("v1")');
      expect(update).toMatchObject({ sequence: applied.sequence, source: 'code-change', language: 'python', displayName: 'Plain' });

      // The Yjs editor changes the text; the plain client's next change still names the old base.
      yjs.peer.text.insert(yjs.peer.text.length, '\nprint("v2")');
      const folded = await plain.events.waitFor('code-update', (event) => event.source === 'document');
      const stale = await request(plain.socket, 'code-change', { roomId, code: 'print("overwrite")', sequence: applied.sequence });
      expect(stale).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_STALE_SEQUENCE', details: { current: { code: 'print("v1")\nprint("v2")', codeSequence: folded.sequence } } } });
      expect(yjs.peer.content).toBe('print("v1")\nprint("v2")');

      const rebased = await request(plain.socket, 'code-change', { roomId, code: 'print("v3")', sequence: folded.sequence });
      expect(rebased.ok).toBe(true);
      expect(await eventually(() => yjs.peer.content === 'print("v3")')).toBe(true);
    });
  });

  describe('when clients share awareness', () => {
    it('should relay cursor states and drop them when their owner leaves', async () => {
      const roomId = `room-${randomUUID()}`;
      const alice = await editor(stack, roomId, 'Alice');
      const bob = await editor(stack, roomId, 'Bob');
      alice.peer.awareness.setLocalState({ user: { name: 'Alice' }, cursor: { anchor: 3 } });
      const aliceClient = alice.peer.doc.clientID;
      expect(await eventually(() => bob.peer.awareness.getStates().get(aliceClient)?.user?.name === 'Alice')).toBe(true);
      await request(alice.socket, 'leave-room', { roomId });
      expect(await eventually(() => !bob.peer.awareness.getStates().has(aliceClient))).toBe(true);
      expect(await bob.events.waitFor('user-left')).toMatchObject({ roomId, displayName: 'Alice' });
    });
  });

  describe('when the server restarts on the same database', () => {
    it('should give a client after the restart the same text and a sequence that kept counting', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'runlane-restart-'));
      const databasePath = join(dir, 'runlane.db');
      const roomId = `room-${randomUUID()}`;
      try {
        const before = await createRealtimeStack({}, { databasePath });
        let lastSequence: number;
        let text: string;
        try {
          const writer = await editor(before, roomId, 'Writer');
          writer.peer.text.insert(0, 'console.log("persisted");\n');
          const update = await writer.events.waitFor('code-update', (event) => event.code === writer.peer.content);
          lastSequence = update.sequence;
          text = writer.peer.content;
        } finally {
          // Closing saves every loaded room's document.
          await before.close();
        }
        const after = await createRealtimeStack({}, { databasePath });
        try {
          const reader = await editor(after, roomId, 'Reader');
          expect(await eventually(() => reader.peer.content === text)).toBe(true);
          const state = await reader.events.waitFor('room-state');
          expect(state.code).toBe(text);
          expect(state.sequence).toBeGreaterThan(lastSequence);
        } finally {
          await after.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
