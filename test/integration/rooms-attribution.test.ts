// Seed 003's benchmark table as a test: N concurrent users in rooms, every result complete and attributed to the right user and execution.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

/** Users per room: the default room caps (3 running, 10 queued) hold one execution of each. */
const ROOM_SIZE = 10;

interface Participant {
  userId: string;
  name: string;
  roomId: string;
  token: string;
  socket: Socket;
  events: EventRecorder;
  joinedAt: number;
}

describe('rooms: attribution under concurrency (seed 003 benchmark)', () => {
  let stack: RealtimeStack;

  beforeAll(async () => {
    stack = await createRealtimeStack({ scheduler: { maxConcurrent: 4 } });
  });
  afterAll(async () => stack?.close());

  describe.each([3, 5, 10, 50, 100])('when %i users execute at the same moment', (users) => {
    it('should complete 100% of executions and attribute 100% of results to the right user and execution', async () => {
      const runId = randomUUID().slice(0, 8);
      const participants: Participant[] = await Promise.all(
        Array.from({ length: users }, async (_, index) => {
          const user = await makeUser(`User ${index}`);
          const socket = await connect(stack.url, { token: user.token });
          const roomId = `bench-${runId}-${Math.floor(index / ROOM_SIZE)}`;
          return { userId: user.userId, name: user.name, roomId, token: `token-${randomUUID()}`, socket, events: new EventRecorder(socket), joinedAt: 0 };
        }),
      );
      try {
        for (const participant of participants) {
          const state = await request(participant.socket, 'join-room', { roomId: participant.roomId });
          expect(state.ok).toBe(true);
          participant.joinedAt = state.sequence;
        }

        const startedAt = performance.now();
        const acks = await Promise.all(
          participants.map((participant) =>
            request(participant.socket, 'execute-code', {
              roomId: participant.roomId,
              language: 'python',
              code: `print("${participant.token}")`,
              correlationId: `corr-${participant.token}`,
            }),
          ),
        );
        expect(acks.filter((ack) => ack.ok)).toHaveLength(users);
        const owner = new Map(acks.map((ack, index) => [ack.executionId as string, participants[index]!]));

        // Every member of a room must see every execution of that room finish, each under its own user.
        const latencies: number[] = [];
        let attributed = 0;
        for (const participant of participants) {
          const roomSize = participants.filter((other) => other.roomId === participant.roomId).length;
          const results = await participant.events.waitForCount('execution-result', roomSize, () => true, 60_000);
          for (const result of results) {
            const submitter = owner.get(result.executionId)!;
            expect(result).toMatchObject({
              userId: submitter.userId,
              displayName: submitter.name,
              correlationId: `corr-${submitter.token}`,
              roomId: participant.roomId,
              verdict: 'accepted',
              output: `${submitter.token}\n`,
            });
            attributed += 1;
          }
          const own = participant.events.of('execution-result', (result) => result.userId === participant.userId)[0];
          const received = participant.events.events.find((entry) => entry.event === 'execution-result' && entry.payload === own)!;
          latencies.push(received.at - startedAt);
        }
        const expected = participants.reduce((total, participant) => total + participants.filter((other) => other.roomId === participant.roomId).length, 0);
        expect(attributed).toBe(expected);

        // Ordering: after its room-state, every client saw consecutive sequences with no gap.
        for (const participant of participants) {
          const sequences = [participant.joinedAt, ...participant.events.sequences(participant.roomId)];
          sequences.forEach((sequence, index) => expect(sequence).toBe(participant.joinedAt + index));
        }

        const average = latencies.reduce((total, value) => total + value, 0) / latencies.length;
        console.info(`${users} users: 100% complete, 100% attributed, average submit-to-own-result ${Math.round(average)} ms`);
      } finally {
        for (const participant of participants) participant.socket.close();
      }
    });
  });
});
