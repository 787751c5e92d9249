// Interactive runs have their own limits: minutes of wall time by default, an idle timeout, and maxima of their own.
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

const WAIT_FOR_INPUT = 'import sys\nprint("waiting", flush=True)\nsys.stdin.readline()\nprint("never")\n';
const ECHO_UNTIL_QUIT = 'import sys\nfor line in sys.stdin:\n    if line.strip() == "quit":\n        break\n    print("got " + line.strip(), flush=True)\n';
const TICKER = 'import time\nwhile True:\n    print("tick", flush=True)\n    time.sleep(0.3)\n';

/** Batch runs get one second; interactive runs get their own, longer, limits and a short idle timeout to test with. */
const BATCH = { wallTimeMs: 1_000, cpuTimeMs: 1_000 };
const BATCH_MAX_WALL_MS = 3_000;
const INTERACTIVE = {
  defaults: { wallTimeMs: 8_000, cpuTimeMs: 5_000, idleTimeoutMs: 1_500 },
  max: { wallTimeMs: 20_000, cpuTimeMs: 10_000, idleTimeoutMs: 5_000 },
};

describe('interactive runs: their own limits', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    stack = await createRealtimeStack({ limits: { run: BATCH, max: { wallTimeMs: BATCH_MAX_WALL_MS }, interactive: INTERACTIVE } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => stack?.close());

  async function stream() {
    const user = await makeUser('Typist');
    const socket = await connect(stack.url, { token: user.token, namespace: '/interactive' });
    sockets.push(socket);
    return { socket, events: new EventRecorder(socket) };
  }

  describe('when nobody types and the program prints nothing', () => {
    it('should end the run after the idle timeout, saying why', async () => {
      const run = await stream();
      expect((await request(run.socket, 'start', { language: 'python', code: WAIT_FOR_INPUT })).ok).toBe(true);
      const started = await run.events.waitFor('started');
      // Not the batch second: the interactive defaults, and the idle timeout it will be held to.
      expect(started).toMatchObject({ limits: { wallTimeMs: 8_000, cpuTimeMs: 5_000 }, idleTimeoutMs: 1_500 });
      const startedAt = performance.now();
      const exit = await run.events.waitFor('exit', () => true, 15_000);
      const waited = performance.now() - startedAt;
      expect(exit).toMatchObject({ status: 'killed', verdict: null, reason: 'idle_timeout' });
      expect(exit.message).toContain('ended after 1.5 s without input or output (idle timeout)');
      expect(waited).toBeGreaterThanOrEqual(1_300);
      expect(waited).toBeLessThan(6_000);
    });
  });

  describe('when the user keeps typing past the idle timeout and the batch wall time', () => {
    it('should keep the run going until the program ends', async () => {
      const run = await stream();
      expect((await request(run.socket, 'start', { language: 'python', code: ECHO_UNTIL_QUIT })).ok).toBe(true);
      await run.events.waitFor('started');
      // Each line comes within the idle timeout; all of them take longer than it and than the batch wall time.
      for (let line = 0; line < 4; line++) {
        await new Promise((resolve) => setTimeout(resolve, 800));
        expect((await request(run.socket, 'stdin', { data: `line ${line}\n` })).ok).toBe(true);
      }
      await request(run.socket, 'stdin', { data: 'quit\n' });
      const exit = await run.events.waitFor('exit', () => true, 15_000);
      expect(exit).toMatchObject({ status: 'completed', verdict: 'accepted', exitCode: 0 });
      expect(exit.wallTime).toBeGreaterThan(BATCH.wallTimeMs + 1_500);
      expect(exit).not.toHaveProperty('reason');
      expect(run.events.of('stdout').map((chunk) => chunk.data).join('')).toBe('got line 0\ngot line 1\ngot line 2\ngot line 3\n');
    });
  });

  describe('when a run asks for a wall time above the batch maximum but within the interactive one', () => {
    it('should accept it and stop the program at that wall time', async () => {
      const run = await stream();
      const ack = await request(run.socket, 'start', { language: 'python', code: TICKER, limits: { wallTimeMs: 4_000 } });
      expect(ack.ok).toBe(true);
      expect(await run.events.waitFor('started')).toMatchObject({ limits: { wallTimeMs: 4_000 } });
      const exit = await run.events.waitFor('exit', () => true, 15_000);
      // The ticks kept it from idling; the wall limit ended it.
      expect(exit).toMatchObject({ status: 'completed', verdict: 'time_limit_exceeded', message: 'wall-time limit of 4000 ms exceeded' });
      expect(exit.wallTime).toBeGreaterThanOrEqual(3_800);
      expect(exit.wallTime).toBeLessThan(6_000);
    });
  });

  describe('when a run asks for more than the interactive maxima', () => {
    it.each([
      [{ limits: { wallTimeMs: 20_001 } }, 'limits.wallTimeMs is 20001; the server allows at most 20000'],
      [{ limits: { cpuTimeMs: 10_001 } }, 'limits.cpuTimeMs is 10001; the server allows at most 10000'],
      [{ idleTimeoutMs: 5_001 }, 'idleTimeoutMs is 5001; the server allows at most 5000'],
    ])('should refuse %j with LIMIT_TOO_HIGH and start nothing', async (asked, message) => {
      const run = await stream();
      const ack = await request(run.socket, 'start', { language: 'python', code: WAIT_FOR_INPUT, ...asked });
      expect(ack).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH', message } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(run.events.of('queued')).toEqual([]);
    });
  });

  describe('when a batch run asks for the interactive wall time', () => {
    it('should still be held to the batch maximum', async () => {
      const user = await makeUser('Batch');
      const response = await fetch(`${stack.url}/api/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ language: 'python', source: 'print(1)', limits: { wallTimeMs: 4_000 } }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH');
    });
  });
});
