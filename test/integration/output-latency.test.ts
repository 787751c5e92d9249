// The server stays responsive while submissions print the most output they may: /health is polled over a real port
// during a small-output baseline and then during the big runs, and the room's completion event is a small preview.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

/** Each run prints 63 MB, just under the server maximum of `limits.outputBytes`. */
const OUTPUT_LIMIT = 64_000_000;
const FLOOD = 'import sys\nline = b"x" * 999 + b"\\n"\nout = sys.stdout.buffer\nfor _ in range(63_000):\n    out.write(line)\n';
/** The baseline: the same work and the same writes, sent to /dev/null, so only the captured output differs. */
const QUIET = 'line = b"x" * 999 + b"\\n"\nout = open("/dev/null", "wb")\nfor _ in range(63_000):\n    out.write(line)\nprint("done")\n';
/**
 * How much longer the longest event-loop block may be while the big outputs are run, stored, broadcast and read back than
 * during the baseline, in ms: the stall criterion (big outputs are never copied, stringified or broadcast whole on the
 * event loop). Before the store moved to a worker thread and big answers were streamed, single blocks reached 1.8 s.
 */
const LOOP_MARGIN_MS = 50;
/**
 * How much slower /health may answer at p99 than during the baseline, in ms. Both phases run in the same test on the
 * same machine. The margin is larger than the stall margin because, unlike the baseline (which writes to /dev/null), the
 * big phase makes the server itself read 126 MB through pipes while the programs write them, and on a 2-core machine
 * that CPU work queues requests without blocking the loop: measured in CI on such a machine, p99 rose from 100 to 158 ms
 * while the longest event-loop block rose from 105 to 127 ms. With the store's synchronous writes on the event loop, p99
 * went from 322 to 1128 ms and from 754 to 1660 ms (same test, load average 16–18).
 */
const P99_MARGIN_MS = 100;
/** Health samples each phase collects at least: the baseline repeats its runs until it has them, so p99 is not just the max. */
const MIN_SAMPLES = 150;
/** Gap between two health requests, so the poller samples the whole run without keeping the server busy itself. */
const POLL_GAP_MS = 10;

let stack: RealtimeStack;
const sockets: Socket[] = [];

beforeAll(async () => {
  // The default configuration: the output cap is 16 MiB.
  stack = await createRealtimeStack();
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await stack?.close();
});

interface Latencies {
  count: number;
  p99: number;
  max: number;
}

/** Polls GET /health through the listening port until stopped; every answer must be 200. */
function pollHealth(): { count: () => number; stop: () => Promise<Latencies & { failures: number }> } {
  const samples: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${stack.url}/health`).catch(() => null);
      if (response?.status === 200) await response.arrayBuffer();
      else failures += 1;
      samples.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, POLL_GAP_MS));
    }
  })();
  return {
    count: () => samples.length,
    stop: async () => {
      running = false;
      await loop;
      return { ...summary(samples), failures };
    },
  };
}

function summary(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0, max: sorted.at(-1) ?? 0 };
}

/** Reads a response body to the end without building it into one string, and returns its size. */
async function drainedSize(response: Response): Promise<number> {
  let size = 0;
  for await (const chunk of response.body ?? []) size += (chunk as Uint8Array).byteLength;
  return size;
}

interface Phase {
  health: Latencies & { failures: number };
  loopDelayMaxMs: number;
  soloId: string;
  roomExecutionId: string;
  completed: Awaited<ReturnType<EventRecorder['waitFor']>>;
}

/**
 * Two users submit `source` at once, one of them in the watcher's room, in rounds until /health was polled MIN_SAMPLES
 * times; the last round's submissions and room event are returned.
 */
async function runPhase(source: string, watcher: { socket: Socket; events: EventRecorder; roomId: string }, testCases: object[]): Promise<Phase> {
  const [solo, member] = await Promise.all([makeUser('Solo'), makeUser('Member')]);
  const finished = new Set<string>();
  const unsubscribe = stack.service.subscribe((event) => {
    if (event.type === 'completed' || event.type === 'failed') finished.add(event.entry.id);
  });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const poller = pollHealth();
  const submit = async (user: typeof solo, extra: object) => {
    const response = await fetch(`${stack.url}/api/v1/submissions`, {
      method: 'POST',
      headers: { ...user.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', source, limits: { outputBytes: OUTPUT_LIMIT }, testCases, ...extra }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };
  let round: { soloId: string; roomExecutionId: string; completed: Phase['completed'] };
  do {
    const soloId = await submit(solo, {});
    const roomExecutionId = await submit(member, { roomId: watcher.roomId });
    const completed = await watcher.events.waitFor('execution-completed', (event) => event.executionId === roomExecutionId, 240_000);
    while (!finished.has(soloId)) await new Promise((resolve) => setTimeout(resolve, 50));
    round = { soloId, roomExecutionId, completed };
  } while (poller.count() < MIN_SAMPLES);
  const health = await poller.stop();
  loopDelay.disable();
  unsubscribe();
  readers.set(round.soloId, solo.headers);
  readers.set(round.roomExecutionId, member.headers);
  return { health, loopDelayMaxMs: loopDelay.max / 1e6, ...round };
}

/** Who may read each submission back. */
const readers = new Map<string, Record<string, string>>();

function describePhase(name: string, phase: Phase): string {
  const { health } = phase;
  return `${name}: ${health.count} requests, p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms; event-loop delay max ${phase.loopDelayMaxMs.toFixed(1)} ms`;
}

describe('when submissions print the maximum output, one of them in a room with a connected member', () => {
  it('should not block the event loop or slow /health beyond a small-output baseline while big outputs are run and read back, and broadcast only a small preview without expected outputs or stdin', async () => {
    const secret = { stdin: `stdin-${randomUUID()}`, expected: `expected-${randomUUID()}` };
    const testCases = Array.from({ length: 3 }, () => ({ stdin: secret.stdin, expectedOutput: secret.expected }));
    const watcherUser = await makeUser('Watcher');
    const roomId = `room-${randomUUID()}`;
    const socket = await connect(stack.url, { token: watcherUser.token });
    sockets.push(socket);
    const watcher = { socket, events: new EventRecorder(socket), roomId };
    expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);

    const baseline = await runPhase(QUIET, watcher, testCases);
    let big = await runPhase(FLOOD, watcher, testCases);
    // Reported so the figures on a given machine can be compared.
    console.info(`/health ${describePhase('baseline (small output)', baseline)}`);
    console.info(`/health ${describePhase('during 63 MB outputs', big)}`);
    if (big.loopDelayMaxMs > baseline.loopDelayMaxMs + LOOP_MARGIN_MS) {
      // One long block can be the host's (the suite's other work preempting this process on two cores); a stall of the
      // server's own making repeats in every phase, so the big phase is measured once more before concluding.
      big = await runPhase(FLOOD, watcher, testCases);
      console.info(`/health ${describePhase('during 63 MB outputs, measured again', big)}`);
    }
    expect(baseline.completed).toMatchObject({ verdict: 'wrong_answer' });
    expect(baseline.completed).not.toMatchObject({ truncated: true });
    expect(baseline.health.failures).toBe(0);
    expect(big.health.failures).toBe(0);
    expect(big.loopDelayMaxMs).toBeLessThanOrEqual(baseline.loopDelayMaxMs + LOOP_MARGIN_MS);
    expect(big.health.p99).toBeLessThanOrEqual(baseline.health.p99 + P99_MARGIN_MS);

    // The room got a preview: small, marked truncated, and without the submitter's hidden test data.
    const { completed } = big;
    const frame = JSON.stringify(completed);
    expect(completed).toMatchObject({ executionId: big.roomExecutionId, truncated: true, result: { outputTruncated: true } });
    // Six programs printing 63 MB each on a heavily loaded 2-core machine can pass the default 10 s wall limit; either
    // way the output was large and cut, which is what this test is about.
    expect(['wrong_answer', 'time_limit_exceeded']).toContain(completed.verdict);
    expect(frame.length).toBeLessThan(64 * 1024 + 16 * 1024);
    expect(frame).not.toContain(secret.expected);
    expect(frame).not.toContain(secret.stdin);
    for (const testCase of completed.result.testCases) expect(testCase).not.toHaveProperty('expectedOutput');

    // Each whole result is still there by id, bounded by the cap (plus the first run's copy at the top level), and reading
    // those tens of MB back (streamed in small chunks) does not hold up /health either.
    const cap = stack.config.limits.maxSubmissionOutputBytes;
    const readBack = async () => {
      const readLoopDelay = monitorEventLoopDelay({ resolution: 10 });
      readLoopDelay.enable();
      const poller = pollHealth();
      let reads = 0;
      do {
        for (const id of [big.soloId, big.roomExecutionId]) {
          const response = await fetch(`${stack.url}/api/v1/submissions/${id}`, { headers: readers.get(id)! });
          expect(response.status).toBe(200);
          const size = await drainedSize(response);
          expect(size).toBeGreaterThan(cap / 2);
          expect(size).toBeLessThan(2 * cap + 1024 * 1024);
          reads += 1;
        }
      } while (poller.count() < MIN_SAMPLES);
      const health = await poller.stop();
      readLoopDelay.disable();
      const loopMaxMs = readLoopDelay.max / 1e6;
      console.info(`/health while reading whole results back (${reads} reads): ${health.count} requests, p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms; event-loop delay max ${loopMaxMs.toFixed(1)} ms`);
      return { health, loopMaxMs };
    };
    let reading = await readBack();
    // As above: a single long block is measured once more before it counts as the server's.
    if (reading.loopMaxMs > baseline.loopDelayMaxMs + LOOP_MARGIN_MS) reading = await readBack();
    expect(reading.health.failures).toBe(0);
    expect(reading.loopMaxMs).toBeLessThanOrEqual(baseline.loopDelayMaxMs + LOOP_MARGIN_MS);
    expect(reading.health.p99).toBeLessThanOrEqual(baseline.health.p99 + P99_MARGIN_MS);
  }, 600_000);
});
