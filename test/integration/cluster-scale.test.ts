// The cluster at scale, with real processes: 1,000 submissions from 100 users in 20 rooms over 2 API nodes and 2 workers, one worker SIGKILLed part-way.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { TestCluster } from '../support/cluster.js';
import { queryTestDatabase, SKIP_POSTGRES } from '../support/postgres.js';
import { connect, EventRecorder, request } from '../support/realtime.js';
import type { ReadyRunlane } from '../support/runlane-process.js';
import { makeUser } from '../support/tokens.js';

const SKIP = SKIP_POSTGRES || process.env.RUNLANE_TEST_REDIS === 'skip';
if (process.env.RUNLANE_TEST_REDIS === 'skip') announceSkip('the cluster scale test', 'RUNLANE_TEST_REDIS=skip: the cluster needs the shared Redis');

const USERS = 100;
const ROOMS = 20;
/** Submissions per user; a smaller figure (SCALE_TEST_PER_USER) only for trying the test out. */
const PER_USER = Number(process.env.SCALE_TEST_PER_USER ?? 10);
const TOTAL = USERS * PER_USER;
/** Tight room caps, so that five members of a room contend for them. */
const ROOM_MAX_RUNNING = 1;
const ROOM_MAX_QUEUED = 3;
/** Slots of each worker node. */
const WORKER_SLOTS = 2;
/** The worker is killed once this many submissions have finished. */
const KILL_AFTER = Math.floor(TOTAL * 0.3);

/** Each program prints its stdin, the submission's own token: cheap, and it proves whose result is whose. */
const PROGRAMS = {
  python: 'print(input())',
  c: '#include <stdio.h>\nint main(void) { char s[128]; if (scanf("%127s", s) == 1) puts(s); return 0; }\n',
  javascript: "console.log(require('fs').readFileSync(0, 'utf8').trim())",
} as const;
type Language = keyof typeof PROGRAMS;

/** Python mostly, C (one source, so the compile cache serves all but the first on each worker) and some JavaScript. */
function languageOf(n: number): Language {
  const slot = n % 10;
  if (slot < 3) return 'c';
  if (slot === 3) return 'javascript';
  return 'python';
}

const FINAL = new Set(['execution-completed', 'execution-failed', 'execution-cancelled']);

interface Member {
  user: Awaited<ReturnType<typeof makeUser>>;
  roomId: string;
  socket: Socket;
  events: EventRecorder;
  joinedAt: number;
}

interface Submitted {
  id: string;
  token: string;
  userId: string;
  roomId: string;
  via: 'socket' | 'rest';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(SKIP)('a cluster of 2 API nodes and 2 workers under 1,000 submissions', () => {
  const cluster = new TestCluster({
    env: {
      RUNLANE_SCHEDULER__ROOM_MAX_RUNNING: String(ROOM_MAX_RUNNING),
      RUNLANE_SCHEDULER__ROOM_MAX_QUEUED: String(ROOM_MAX_QUEUED),
      RATE_LIMIT_MAX_REQUESTS: '1000000',
    },
  });
  const runId = randomUUID().slice(0, 8);
  const roomIds = Array.from({ length: ROOMS }, (_, index) => `scale-${runId}-${index}`);
  let apis: Array<ReadyRunlane & { url: string }>;
  let doomed: ReadyRunlane;
  const members: Member[] = [];

  beforeAll(async () => {
    // The first API node creates the schema, so that nodes do not race to migrate it.
    const first = await cluster.api(0);
    const [second, , worker] = await Promise.all([cluster.api(0), cluster.worker(WORKER_SLOTS), cluster.worker(WORKER_SLOTS)]);
    apis = [first, second];
    doomed = worker;
  }, 180_000);

  afterAll(async () => {
    for (const member of members) member.socket.close();
    await cluster.close();
  }, 120_000);

  it('should finish every submission once, for its own user, in gap-free room streams, within the room caps', async () => {
    const users = await Promise.all(Array.from({ length: USERS }, (_, index) => makeUser(`Scale ${index}`)));
    const admin = await makeUser('Scale Admin', 'admin');
    for (const [index, user] of users.entries()) {
      const socket = await connect(apis[index % 2]!.url, { token: user.token });
      const events = new EventRecorder(socket);
      const roomId = roomIds[index % ROOMS]!;
      const state = await request(socket, 'join-room', { roomId });
      expect(state.ok).not.toBe(false);
      members.push({ user, roomId, socket, events, joinedAt: state.sequence as number });
    }

    // Sample every room's queue through both API nodes while the load runs.
    let sampling = true;
    let killed = false;
    // Queued peaks are kept apart before and after the kill: the dead worker's jobs go back to their rooms' queues when
    // their leases expire, without a new admission, so a room may then hold up to that worker's slots more.
    const peaks = { running: 0, queuedBeforeKill: 0, queuedAfterKill: 0, samples: 0 };
    const sampler = (async () => {
      for (let round = 0; sampling; round += 1) {
        const url = apis[round % 2]!.url;
        const sampled = roomIds.filter((_, index) => index % 4 === round % 4);
        const snapshots = await Promise.all(
          sampled.map(async (roomId) => (await fetch(`${url}/api/v1/rooms/${roomId}/queue`, { headers: admin.headers })).json() as Promise<{ activeCount: number; queueLength: number }>),
        ).catch(() => []);
        for (const snapshot of snapshots) {
          peaks.running = Math.max(peaks.running, snapshot.activeCount);
          if (killed) peaks.queuedAfterKill = Math.max(peaks.queuedAfterKill, snapshot.queueLength);
          else peaks.queuedBeforeKill = Math.max(peaks.queuedBeforeKill, snapshot.queueLength);
          peaks.samples += 1;
        }
        await sleep(250);
      }
    })();

    const submitted: Submitted[] = [];
    let finished = 0;
    const started = Date.now();
    const progress = setInterval(() => console.info(`cluster scale: ${finished}/${TOTAL} finished after ${Math.round((Date.now() - started) / 1000)} s`), 15_000);

    const submitOnce = async (member: Member, index: number, n: number, token: string): Promise<{ id: string } | { retry: string }> => {
      const language = languageOf(n);
      if (index % 2 === 0) {
        const answer = await request(member.socket, 'execute-code', { roomId: member.roomId, language, code: PROGRAMS[language], stdin: token }, 120_000);
        return answer.ok ? { id: answer.executionId as string } : { retry: answer.error.code as string };
      }
      // Over REST, through the other API node than the member's socket.
      const response = await fetch(`${apis[(index + 1) % 2]!.url}/api/v1/submissions`, {
        method: 'POST',
        headers: { ...member.user.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ language, source: PROGRAMS[language], stdin: token, roomId: member.roomId }),
      });
      const body = (await response.json()) as { id?: string; error?: { code: string } };
      return response.status === 202 ? { id: body.id! } : { retry: body.error?.code ?? `HTTP ${response.status}` };
    };

    const run = async (member: Member, index: number): Promise<void> => {
      // Users arrive over the first seconds rather than all in the same millisecond.
      await sleep(index * 30);
      for (let n = 0; n < PER_USER; n += 1) {
        const token = `${member.user.userId}.${n}.${randomUUID()}`;
        let outcome = await submitOnce(member, index, n, token);
        // A full room is the cap doing its job: wait and ask again (not a submission).
        for (let tries = 0; 'retry' in outcome; tries += 1) {
          if (!['RUNLANE_ERR_QUEUE_ROOM_FULL', 'RUNLANE_ERR_QUEUE_USER_BUSY'].includes(outcome.retry) || tries > 600) throw new Error(`submission refused: ${outcome.retry}`);
          await sleep(100);
          outcome = await submitOnce(member, index, n, token);
        }
        submitted.push({ id: outcome.id, token, userId: member.user.userId, roomId: member.roomId, via: index % 2 === 0 ? 'socket' : 'rest' });
        await member.events.waitFor('execution-completed', (payload) => payload.executionId === outcome.id, 240_000).catch(async (error: unknown) => {
          const rows = await queryTestDatabase(`select status, attempts, error from "${cluster.schema}".submissions where id = $1`, [outcome.id]);
          throw new Error(`${(error as Error).message}; the store has ${JSON.stringify(rows[0])}`);
        });
        finished += 1;
        if (!killed && finished >= KILL_AFTER) {
          killed = true;
          await cluster.stop(doomed.child, 'SIGKILL');
        }
      }
    };
    try {
      await Promise.all(members.map((member, index) => run(member, index)));
    } finally {
      clearInterval(progress);
      sampling = false;
    }
    const elapsedMs = Date.now() - started;
    sampling = false;
    await sampler;
    // Late duplicates would show up by now.
    await sleep(1_000);
    console.info(`cluster scale: ${TOTAL} submissions in ${(elapsedMs / 1000).toFixed(1)} s (${((TOTAL * 1000) / elapsedMs).toFixed(1)}/s); queue samples ${peaks.samples}, peak running per room ${peaks.running}, peak queued per room ${peaks.queuedBeforeKill} before the kill, ${peaks.queuedAfterKill} after`);

    expect(killed).toBe(true);
    expect(submitted).toHaveLength(TOTAL);
    expect(new Set(submitted.map((entry) => entry.id)).size).toBe(TOTAL);

    // Exactly one final state each, in the store, and the result is the submitter's own.
    const rows = await queryTestDatabase<{ id: string; user_id: string; room_id: string; status: string; verdict: string | null; stdin: string }>(
      `select id, user_id, room_id, status, verdict, stdin from "${cluster.schema}".submissions where id = any($1)`,
      [submitted.map((entry) => entry.id)],
    );
    expect(rows).toHaveLength(TOTAL);
    const byId = new Map(rows.map((row) => [row.id, row]));
    const wrong: string[] = [];
    for (const entry of submitted) {
      const row = byId.get(entry.id)!;
      if (row.status !== 'completed' || row.verdict !== 'accepted' || row.user_id !== entry.userId || row.room_id !== entry.roomId || row.stdin !== entry.token) {
        wrong.push(`${entry.id}: ${JSON.stringify({ ...row, expected: entry })}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // The whole result, as its owner reads it over REST from either node, for a sample.
    for (const [index, entry] of submitted.filter((_, index) => index % 20 === 0).entries()) {
      const owner = members.find((member) => member.user.userId === entry.userId)!;
      const body = (await (await fetch(`${apis[index % 2]!.url}/api/v1/submissions/${entry.id}`, { headers: owner.user.headers })).json()) as { userId?: string; stdout?: string };
      expect(body.stdout?.trim()).toBe(entry.token);
    }

    // Every socket: a gap-free stream from its join on, every execution of its room finished once, attributed right.
    const ofRoom = new Map<string, Submitted[]>();
    for (const entry of submitted) ofRoom.set(entry.roomId, [...(ofRoom.get(entry.roomId) ?? []), entry]);
    for (const member of members) {
      const sequences = member.events.sequences(member.roomId);
      expect(sequences.length).toBeGreaterThan(0);
      const gaps = sequences.filter((sequence, index) => sequence !== member.joinedAt + 1 + index);
      expect(gaps.slice(0, 3)).toEqual([]);
      const finals = member.events.events.filter((entry) => FINAL.has(entry.event) && entry.payload.roomId === member.roomId).map((entry) => entry.payload);
      const counts = new Map<string, number>();
      for (const payload of finals) counts.set(payload.executionId, (counts.get(payload.executionId) ?? 0) + 1);
      const expected = ofRoom.get(member.roomId)!;
      const problems: string[] = [];
      for (const entry of expected) {
        // Executions submitted before this member joined are not its to see; all of ours came after every join.
        const payload = finals.find((final) => final.executionId === entry.id);
        if (counts.get(entry.id) !== 1) problems.push(`${entry.id} finished ${counts.get(entry.id) ?? 0} times`);
        else if (payload.userId !== entry.userId || payload.output?.trim() !== entry.token) problems.push(`${entry.id} attributed wrongly: ${payload.userId} ${payload.output}`);
      }
      expect(problems.slice(0, 3)).toEqual([]);
      expect(finals).toHaveLength(expected.length);
    }

    // The room caps, sampled through the API nodes while the load ran.
    expect(peaks.samples).toBeGreaterThan(ROOMS);
    expect(peaks.running).toBeLessThanOrEqual(ROOM_MAX_RUNNING);
    expect(peaks.queuedBeforeKill).toBeLessThanOrEqual(ROOM_MAX_QUEUED);
    expect(peaks.queuedAfterKill).toBeLessThanOrEqual(ROOM_MAX_QUEUED + WORKER_SLOTS);
  }, 1_200_000);
});
