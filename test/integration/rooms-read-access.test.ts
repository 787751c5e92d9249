// Read access over Socket.IO: room members hear and list each other's executions without source, inputs or expected outputs.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

interface Member {
  user: Awaited<ReturnType<typeof makeUser>>;
  socket: Socket;
  events: EventRecorder;
}

describe('rooms: who may read what', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];
  const marker = randomUUID();
  const roomId = `exam-${marker}`;
  /** Ann's private parts; compared in lower case, as the program upper-cases its input. */
  const privateParts = [`source-marker-${marker}`, `top-stdin-${marker}`, `hidden-input-${marker}`, `wrong-expected-${marker}`];
  const leaks = (payload: unknown) => privateParts.filter((part) => JSON.stringify(payload).toLowerCase().includes(part));
  let ann: Member;
  let bob: Member;
  let tess: Member;
  let executionId: string;

  async function member(name: string, role: 'user' | 'teacher' = 'user'): Promise<Member> {
    const user = await makeUser(name, role);
    const socket = await connect(stack.url, { token: user.token });
    sockets.push(socket);
    const events = new EventRecorder(socket);
    expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
    return { user, socket, events };
  }

  beforeAll(async () => {
    stack = await createRealtimeStack();
    ann = await member('Ann');
    bob = await member('Bob');
    tess = await member('Tess', 'teacher');
    const ack = await request(ann.socket, 'execute-code', {
      roomId,
      language: 'python',
      code: `# source-marker-${marker}\nprint(input().upper())`,
      stdin: `top-stdin-${marker}`,
      testCases: [
        { stdin: `hidden-input-${marker}`, expectedOutput: `HIDDEN-INPUT-${marker.toUpperCase()}` },
        { stdin: `hidden-input-${marker}`, expectedOutput: `wrong-expected-${marker}` },
      ],
    });
    expect(ack).toMatchObject({ ok: true });
    executionId = ack.executionId;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await stack?.close();
  });

  it('should broadcast the verdict and figures of a judged run to the room without expected outputs or the run\'s output', async () => {
    const completed = await bob.events.waitFor('execution-completed', (event) => event.executionId === executionId);
    expect(completed).toMatchObject({ userId: ann.user.userId, verdict: 'wrong_answer', executionTime: expect.any(Number) });
    expect(completed.result.testCases.map((testCase: { verdict: string }) => testCase.verdict)).toEqual(['accepted', 'wrong_answer']);
    expect(leaks(completed)).toEqual([]);
  });

  it('should list the execution in another member\'s history without its private parts', async () => {
    await bob.events.waitFor('execution-completed', (event) => event.executionId === executionId);
    const history = await request(bob.socket, 'get-execution-history', { roomId });
    const entry = history.executions.find((candidate: { executionId: string }) => candidate.executionId === executionId);
    expect(entry).toMatchObject({ userId: ann.user.userId, verdict: 'wrong_answer', status: 'completed' });
    expect(leaks(history)).toEqual([]);
  });

  it('should give the author and a teacher the run\'s output in their history', async () => {
    await ann.events.waitFor('execution-completed', (event) => event.executionId === executionId);
    for (const viewer of [ann, tess]) {
      const history = await request(viewer.socket, 'get-execution-history', { roomId });
      const entry = history.executions.find((candidate: { executionId: string }) => candidate.executionId === executionId);
      expect(entry.output).toBe(`HIDDEN-INPUT-${marker.toUpperCase()}\n`);
    }
  });
});
