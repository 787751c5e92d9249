// Interactive runs on the `/interactive` namespace: live stdin/stdout, kill, signals, queueing and freeing the slot.
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/http.js';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

const PYTHON_ECHO = 'print("ready")\nname = input()\nprint("hello " + name)\nsecond = input()\nprint("then " + second)\n';
const CPP_ECHO = `#include <iostream>
#include <string>
int main() {
  std::string first, second;
  std::cin >> first;
  std::cout << "echo " << first << std::endl;
  std::cin >> second;
  std::cout << "then " << second << std::endl;
  return 0;
}
`;
const WAIT_FOR_INPUT = 'import sys\nprint("waiting", flush=True)\nsys.stdin.readline()\n';

interface Stream {
  socket: Socket;
  events: EventRecorder;
  /** Everything received on stdout so far. */
  stdout(): string;
}

describe('interactive runs', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // One slot on the node, so queueing and freeing the slot are observable.
    stack = await createRealtimeStack({ scheduler: { maxConcurrent: 1 } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => stack?.close());

  async function stream(name = 'Runner'): Promise<Stream> {
    const user = await makeUser(name);
    const socket = await connect(stack.url, { token: user.token, namespace: '/interactive' });
    sockets.push(socket);
    const events = new EventRecorder(socket);
    return { socket, events, stdout: () => events.of('stdout').map((chunk) => chunk.data).join('') };
  }

  async function waitForOutput(run: Stream, text: string): Promise<void> {
    if (!(await eventually(() => run.stdout().includes(text), 20_000))) throw new Error(`stdout never contained ${JSON.stringify(text)}: ${JSON.stringify(run.stdout())}`);
  }

  describe('when a Python program reads a line, echoes it and reads another', () => {
    it('should stream each answer before the next line is sent, then report the exit', async () => {
      const run = await stream();
      const started = await request(run.socket, 'start', { language: 'python', code: PYTHON_ECHO });
      expect(started).toMatchObject({ ok: true, executionId: expect.any(String) });
      expect(await run.events.waitFor('queued')).toMatchObject({ executionId: started.executionId });
      await run.events.waitFor('started');
      await waitForOutput(run, 'ready\n');
      expect(await request(run.socket, 'stdin', { data: 'alice\n' })).toMatchObject({ ok: true });
      await waitForOutput(run, 'hello alice\n');
      expect(run.stdout()).not.toContain('then');
      await request(run.socket, 'stdin', { data: 'bob\n' });
      const exit = await run.events.waitFor('exit');
      expect(exit).toMatchObject({ executionId: started.executionId, status: 'completed', verdict: 'accepted', exitCode: 0, signal: null });
      expect(exit.time).toEqual(expect.any(Number));
      expect(exit.memory).toEqual(expect.any(Number));
      expect(run.stdout()).toBe('ready\nhello alice\nthen bob\n');
    });
  });

  describe('when a C++ program uses cin', () => {
    it('should compile once, then echo each word as it arrives', async () => {
      const run = await stream();
      expect((await request(run.socket, 'start', { language: 'cpp', code: CPP_ECHO })).ok).toBe(true);
      await run.events.waitFor('started', () => true, 60_000);
      await request(run.socket, 'stdin', { data: 'first\n' });
      await waitForOutput(run, 'echo first\n');
      await request(run.socket, 'stdin', { data: 'second\n' });
      expect(await run.events.waitFor('exit')).toMatchObject({ verdict: 'accepted', exitCode: 0 });
      expect(run.stdout()).toBe('echo first\nthen second\n');
    });

    it('should report a compilation error as the exit', async () => {
      const run = await stream();
      await request(run.socket, 'start', { language: 'cpp', code: 'int main() { return missing; }' });
      const exit = await run.events.waitFor('exit', () => true, 60_000);
      expect(exit).toMatchObject({ verdict: 'compilation_error' });
      expect(exit.compile.stderr).toContain('missing');
      expect(run.events.of('started')).toHaveLength(0);
    });
  });

  describe('when stdin is closed', () => {
    it('should let the program see end of file', async () => {
      const run = await stream();
      await request(run.socket, 'start', { language: 'python', code: 'import sys\ndata = sys.stdin.read()\nprint(len(data.split()))' });
      await run.events.waitFor('started');
      await request(run.socket, 'stdin', { data: 'one two ' });
      await request(run.socket, 'stdin', { data: 'three', eof: true });
      expect(await run.events.waitFor('exit')).toMatchObject({ verdict: 'accepted' });
      expect(run.stdout()).toBe('3\n');
    });
  });

  describe('when the client kills or signals the program', () => {
    it('should stop it on kill and report the exit', async () => {
      const run = await stream();
      await request(run.socket, 'start', { language: 'python', code: WAIT_FOR_INPUT });
      await waitForOutput(run, 'waiting');
      const before = performance.now();
      expect(await request(run.socket, 'kill')).toMatchObject({ ok: true });
      const exit = await run.events.waitFor('exit');
      expect(performance.now() - before).toBeLessThan(5_000);
      expect(exit).toMatchObject({ status: 'killed', verdict: null });
      expect(await eventually(async () => (await stack.service.snapshot()).activeCount === 0)).toBe(true);
    });

    it('should deliver SIGINT to the program', async () => {
      const run = await stream();
      await request(run.socket, 'start', { language: 'python', code: WAIT_FOR_INPUT });
      await waitForOutput(run, 'waiting');
      expect(await request(run.socket, 'signal', { name: 'SIGINT' })).toMatchObject({ ok: true });
      const exit = await run.events.waitFor('exit');
      expect(exit.verdict).toBe('runtime_error');
      expect(run.events.of('stderr').map((chunk) => chunk.data).join('')).toContain('KeyboardInterrupt');
    });
  });

  describe('when the node is busy', () => {
    it('should queue the run with its position, and cancel it on kill while queued', async () => {
      const holder = await stream('Holder');
      await request(holder.socket, 'start', { language: 'python', code: WAIT_FOR_INPUT });
      await waitForOutput(holder, 'waiting');
      const waiter = await stream('Waiter');
      const started = await request(waiter.socket, 'start', { language: 'python', code: 'print("late")' });
      expect(started).toMatchObject({ ok: true, position: 1 });
      expect(await waiter.events.waitFor('queued')).toMatchObject({ position: 1 });
      await request(waiter.socket, 'kill');
      expect(await waiter.events.waitFor('exit')).toMatchObject({ status: 'cancelled', verdict: null });
      await request(holder.socket, 'kill');
      await holder.events.waitFor('exit');
    });

    it('should kill the run and free the slot when the client disconnects', async () => {
      const holder = await stream('Holder');
      await request(holder.socket, 'start', { language: 'python', code: WAIT_FOR_INPUT });
      await waitForOutput(holder, 'waiting');
      const waiter = await stream('Waiter');
      await request(waiter.socket, 'start', { language: 'python', code: 'print("my turn")' });
      await waiter.events.waitFor('queued');
      holder.socket.close();
      expect(await waiter.events.waitFor('exit', () => true, 15_000)).toMatchObject({ verdict: 'accepted' });
      expect(waiter.stdout()).toBe('my turn\n');
      expect(await eventually(async () => (await stack.service.snapshot()).activeCount === 0)).toBe(true);
    });
  });

  describe('when the client misbehaves', () => {
    it('should answer each mistake with a stable error code', async () => {
      const run = await stream();
      expect(await request(run.socket, 'stdin', { data: 'early\n' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_INTERACTIVE_NOT_STARTED' } });
      expect(await request(run.socket, 'kill')).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_INTERACTIVE_NOT_STARTED' } });
      expect(await request(run.socket, 'start', { language: 'python' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
      expect(await request(run.socket, 'execute-code', {})).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_UNKNOWN_EVENT' } });
      await request(run.socket, 'start', { language: 'python', code: WAIT_FOR_INPUT });
      expect(await request(run.socket, 'start', { language: 'python', code: 'print(1)' })).toMatchObject({
        ok: false,
        error: { code: 'RUNLANE_ERR_ROOMS_INTERACTIVE_ALREADY_STARTED' },
      });
      await waitForOutput(run, 'waiting');
      expect(await request(run.socket, 'stdin', { data: 'x'.repeat(70 * 1024) })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_PAYLOAD_TOO_LARGE' } });
      expect(await request(run.socket, 'signal', { name: 'SIGSEGV' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ROOMS_BAD_PAYLOAD' } });
      await request(run.socket, 'stdin', { data: 'done\n' });
      expect(await run.events.waitFor('exit')).toMatchObject({ verdict: 'accepted' });
    });
  });
});
