// Rooms across API nodes, with real processes: sequences, presence, code changes, Yjs documents, interactive runs and mixed nodes.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { TestCluster } from '../support/cluster.js';
import { queryTestDatabase, SKIP_POSTGRES } from '../support/postgres.js';
import { connect, EventRecorder, request, YjsPeer } from '../support/realtime.js';
import type { ReadyRunlane } from '../support/runlane-process.js';
import { makeUser } from '../support/tokens.js';

const SKIP = SKIP_POSTGRES || process.env.RUNLANE_TEST_REDIS === 'skip';
if (process.env.RUNLANE_TEST_REDIS === 'skip') announceSkip('the cluster rooms tests', 'RUNLANE_TEST_REDIS=skip: rooms across API nodes need the shared Redis');

type User = Awaited<ReturnType<typeof makeUser>>;

/** Every event a socket received, from its `room-state` on, must number on without a gap. */
function expectGapFree(recorder: EventRecorder, roomId: string, from: number): number[] {
  const sequences = recorder.sequences(roomId);
  expect(sequences).toEqual(sequences.map((_, index) => from + 1 + index));
  return sequences;
}

/** The room's sequenced events a socket received, as `sequence:event:executionId`, to compare sockets with each other. */
function stream(recorder: EventRecorder, roomId: string): string[] {
  return recorder.events
    .filter((entry) => entry.payload?.roomId === roomId && entry.event !== 'execution-result' && entry.event !== 'room-state' && typeof entry.payload?.sequence === 'number' && !['execution-status', 'execution-history'].includes(entry.event))
    .map((entry) => `${entry.payload.sequence}:${entry.event}:${entry.payload.executionId ?? entry.payload.userId ?? ''}`);
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(SKIP)('rooms across the API nodes of a cluster', () => {
  const cluster = new TestCluster();
  let api: ReadyRunlane & { url: string };
  let mixed: ReadyRunlane & { url: string };
  const sockets: Socket[] = [];

  async function open(url: string, user: User): Promise<{ socket: Socket; events: EventRecorder }> {
    const socket = await connect(url, { token: user.token });
    sockets.push(socket);
    return { socket, events: new EventRecorder(socket) };
  }

  beforeAll(async () => {
    // The API node first: it creates the schema, so two nodes do not race to migrate it.
    api = await cluster.api(0);
    [mixed] = await Promise.all([cluster.api(1), cluster.worker(2)]);
  }, 120_000);

  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });

  afterAll(() => cluster.close(), 60_000);

  describe('when members on two nodes run code in one room', () => {
    it('should deliver every event to every socket once, in one gap-free order', async () => {
      const roomId = `room-${randomUUID()}`;
      const [ada, bob, cy] = await Promise.all([makeUser('Ada'), makeUser('Bob'), makeUser('Cy')]);
      const a = await open(api.url, ada);
      const b = await open(mixed.url, bob);
      const c = await open(mixed.url, cy);
      const stateA = await request(a.socket, 'join-room', { roomId });
      const stateB = await request(b.socket, 'join-room', { roomId });
      const stateC = await request(c.socket, 'join-room', { roomId });
      expect(stateC.users.map((user: { userId: string }) => user.userId).sort()).toEqual([ada.userId, bob.userId, cy.userId].sort());
      // Ada (node 1) hears Bob and Cy join on node 2, with the room's whole member list.
      const joined = await a.events.waitForCount('user-joined', 2);
      expect(joined[1].users).toHaveLength(3);

      const runs = await Promise.all([
        request(a.socket, 'execute-code', { roomId, language: 'python', code: "print('from ada')" }),
        request(b.socket, 'execute-code', { roomId, language: 'python', code: "print('from bob')" }),
        fetch(`${api.url}/api/v1/submissions`, {
          method: 'POST',
          headers: { ...cy.headers, 'content-type': 'application/json' },
          body: JSON.stringify({ language: 'python', source: "print('from cy')", roomId }),
        }).then(async (response) => ({ ok: response.status === 202, executionId: ((await response.json()) as { id: string }).id })),
      ]);
      expect(runs.map((run) => run.ok)).toEqual([true, true, true]);
      const ids = runs.map((run) => run.executionId as string);
      for (const member of [a, b, c]) {
        const done = await member.events.waitForCount('execution-completed', 3, (payload) => payload.roomId === roomId, 60_000);
        expect(done.map((payload) => payload.executionId).sort()).toEqual([...ids].sort());
      }
      // Give late duplicates a moment to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const member of [a, b, c]) {
        for (const id of ids) {
          expect(member.events.of('execution-completed', (payload) => payload.executionId === id)).toHaveLength(1);
          expect(member.events.of('execution-started', (payload) => payload.executionId === id)).toHaveLength(1);
          expect(member.events.of('execution-queued', (payload) => payload.executionId === id)).toHaveLength(1);
        }
      }
      expectGapFree(a.events, roomId, stateA.sequence);
      expectGapFree(b.events, roomId, stateB.sequence);
      expectGapFree(c.events, roomId, stateC.sequence);
      // Whichever node a socket is on, from the latest join on they saw the same events under the same numbers.
      const common = (member: { events: EventRecorder }) => stream(member.events, roomId).filter((entry) => Number(entry.split(':')[0]) > stateC.sequence);
      expect(common(a)).toEqual(common(c));
      expect(common(b)).toEqual(common(c));
      const output = (await c.events.waitFor('execution-completed', (payload) => payload.executionId === ids[0])).output as string;
      expect(output.trim()).toBe('from ada');
    }, 120_000);
  });

  describe('when one user has a connection on each node', () => {
    it('should list the user once, join with the first connection and leave with the last', async () => {
      const roomId = `room-${randomUUID()}`;
      const [watcher, dee] = await Promise.all([makeUser('Watcher'), makeUser('Dee')]);
      const w = await open(api.url, watcher);
      await request(w.socket, 'join-room', { roomId });
      const first = await open(api.url, dee);
      const second = await open(mixed.url, dee);
      await request(first.socket, 'join-room', { roomId });
      const state = await request(second.socket, 'join-room', { roomId });
      const listed = state.users.find((user: { userId: string }) => user.userId === dee.userId);
      expect(listed).toMatchObject({ connections: 2 });
      await request(first.socket, 'leave-room', { roomId });
      const refreshed = await request(w.socket, 'get-room-state', { roomId });
      expect(refreshed.users.find((user: { userId: string }) => user.userId === dee.userId)).toMatchObject({ connections: 1 });
      expect(w.events.of('user-left')).toHaveLength(0);
      second.socket.close();
      const left = await w.events.waitFor('user-left', (payload) => payload.userId === dee.userId);
      expect(left.users.map((user: { userId: string }) => user.userId)).toEqual([watcher.userId]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(w.events.of('user-joined', (payload) => payload.userId === dee.userId)).toHaveLength(1);
      expect(w.events.of('user-left', (payload) => payload.userId === dee.userId)).toHaveLength(1);
    }, 60_000);
  });

  describe('when two nodes take a code-change based on the same sequence', () => {
    it('should accept exactly one and refuse the other as stale', async () => {
      const roomId = `room-${randomUUID()}`;
      const [eve, fay] = await Promise.all([makeUser('Eve'), makeUser('Fay')]);
      const e = await open(api.url, eve);
      const f = await open(mixed.url, fay);
      await request(e.socket, 'join-room', { roomId });
      const state = await request(f.socket, 'join-room', { roomId });
      const answers = await Promise.all([
        request(e.socket, 'code-change', { roomId, code: 'print("eve")', sequence: state.sequence, language: 'python' }),
        request(f.socket, 'code-change', { roomId, code: 'print("fay")', sequence: state.sequence, language: 'python' }),
      ]);
      const accepted = answers.filter((answer) => answer.ok);
      const refused = answers.filter((answer) => !answer.ok);
      expect(accepted).toHaveLength(1);
      expect(refused.map((answer) => answer.error.code)).toEqual(['RUNLANE_ERR_ROOMS_STALE_SEQUENCE']);
      const winner = answers[0]!.ok ? 'print("eve")' : 'print("fay")';
      for (const member of [e, f]) expect((await member.events.waitFor('code-update')).code).toBe(winner);
    }, 60_000);
  });

  describe('when Yjs editors of one room are on different nodes', () => {
    it('should converge, fold the text into code-update once, and give a late joiner on either node the whole document', async () => {
      const roomId = `room-${randomUUID()}`;
      const [gus, hal, ivy] = await Promise.all([makeUser('Gus'), makeUser('Hal'), makeUser('Ivy')]);
      const g = await open(api.url, gus);
      const h = await open(mixed.url, hal);
      const peerG = new YjsPeer(g.socket, roomId);
      const peerH = new YjsPeer(h.socket, roomId);
      await request(g.socket, 'join-room', { roomId });
      await request(h.socket, 'join-room', { roomId });
      peerG.text.insert(0, 'left ');
      peerH.text.insert(0, 'right ');
      await until(() => peerG.content === peerH.content && peerG.content.length === 'left right '.length, 'the editors to converge');
      const merged = peerG.content;
      // The snapshot follows the document: one code-update with the merged text, whichever node folded it.
      const update = await g.events.waitFor('code-update', (payload) => payload.code === merged, 20_000);
      expect(update.source).toBe('document');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(g.events.of('code-update', (payload) => payload.code === merged)).toHaveLength(1);
      expect(h.events.of('code-update', (payload) => payload.code === merged)).toHaveLength(1);

      // A late joiner on the other node, right after an edit (before any save), gets the whole document.
      peerG.text.insert(peerG.content.length, 'late');
      const i = await open(mixed.url, ivy);
      const peerI = new YjsPeer(i.socket, roomId);
      await request(i.socket, 'join-room', { roomId });
      await until(() => peerI.content === peerG.content && peerH.content === peerG.content, 'the late joiner to get the document');
      for (const peer of [peerG, peerH, peerI]) peer.destroy();
    }, 60_000);
  });

  describe('when a client starts an interactive run on a cluster node', () => {
    it('should refuse it with a code that says where interactive runs are offered', async () => {
      const jo = await makeUser('Jo');
      const socket = await connect(api.url, { token: jo.token, namespace: '/interactive' });
      sockets.push(socket);
      const answer = await request(socket, 'start', { language: 'python', code: 'print(input())' });
      expect(answer).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_INTERACTIVE_UNAVAILABLE' } });
    }, 30_000);
  });

  describe('when the only API node of the cluster also runs jobs', () => {
    it("should show its rooms the other workers' runs too, each once", async () => {
      // Without the API-only node nobody else relays the worker's runs: the mixed node has to hear them itself.
      await cluster.stop(api.child);
      const roomId = `room-${randomUUID()}`;
      const users = await Promise.all(Array.from({ length: 6 }, (_, index) => makeUser(`Runner ${index}`)));
      const members = await Promise.all(users.map((user) => open(mixed.url, user)));
      const states = [];
      for (const member of members) states.push(await request(member.socket, 'join-room', { roomId }));
      const runs = await Promise.all(
        members.map((member, index) => request(member.socket, 'execute-code', { roomId, language: 'python', code: `import time\ntime.sleep(1)\nprint(${index})` })),
      );
      const ids = runs.map((run) => run.executionId as string);
      const watcher = members[members.length - 1]!;
      await watcher.events.waitForCount('execution-completed', ids.length, (payload) => payload.roomId === roomId, 90_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const id of ids) expect(watcher.events.of('execution-completed', (payload) => payload.executionId === id)).toHaveLength(1);
      expectGapFree(watcher.events, roomId, states[states.length - 1].sequence);
      // The proof that some ran elsewhere: the mixed node has one slot, the worker two, and six runs of 1 s queued at once
      // (long enough that neither node can drain the queue alone before the other claims a job, however fast runs start).
      const rows = await queryTestDatabase<{ node_id: string | null }>(`select node_id from "${cluster.schema}".submissions where id = any($1)`, [ids]);
      expect(new Set(rows.map((row) => row.node_id)).size).toBeGreaterThan(1);
    }, 120_000);
  });
});
