// Seed routes report a run that hit a limit or crashed the way their systems did, never as a blank output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { call, eventually } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { bearer, signToken } from '../support/tokens.js';

const CPU_LOOP = 'while True: pass\n';
const SLEEPER = 'import time\ntime.sleep(30)\n';
const HOG = 'data = bytearray(1024 * 1024 * 1024)\nprint(len(data))\n';
const FLOOD = "import sys\nwhile True: sys.stdout.write('x' * 4096)\n";
const SILENT_EXIT = 'raise SystemExit(3)\n';
const CRASH = 'print("before")\nraise ValueError("boom")\n';

/** Seed 000's `.env` timeout, read by the real loader: it must stop a CPU-bound loop, not only a sleeping one. */
const SEED_TIMEOUT_MS = 2_000;

let stack: TestStack;
let token: string;

beforeAll(async () => {
  const seeded = loadConfig({ env: { EXECUTOR_MAX_EXECUTION_TIME: String(SEED_TIMEOUT_MS) } });
  stack = await createTestStack({ limits: { run: { ...seeded.limits.run, memoryMb: 128, outputBytes: 64 * 1024 } } });
  token = await signToken({ sub: 'verdict-user', name: 'Verdict User' });
});

afterAll(async () => {
  await stack?.close();
});

/** Seed 000's flow: POST /execute, then poll GET /submission/:id until it is finished. */
async function coderank(code: string) {
  const accepted = await call(stack.app, 'POST', '/execute', { headers: bearer(token), payload: { code, language: 'python' } });
  expect(accepted.statusCode).toBe(202);
  let last = accepted;
  const done = await eventually(async () => {
    last = await call(stack.app, 'GET', `/submission/${accepted.body.data.submissionId}`, { headers: bearer(token) });
    return last.body.status === 'completed' || last.body.status === 'failed';
  }, 30_000, 100);
  expect(done).toBe(true);
  return last.body;
}

describe('seed 000 (CodeRank) with EXECUTOR_MAX_EXECUTION_TIME', () => {
  describe('when the program is a CPU-bound `while True: pass`', () => {
    it('should stop it at the seed\'s timeout and answer "Execution timeout"', async () => {
      const started = Date.now();
      const body = await coderank(CPU_LOOP);
      expect(body).toMatchObject({ status: 'completed', verdict: 'time_limit_exceeded', output: 'Execution timeout', error: 'Execution timeout' });
      // The loop stopped at the seed's timeout, not at the default CPU limit or a later wall limit.
      expect(body.executionTime).toBeGreaterThanOrEqual(SEED_TIMEOUT_MS * 0.9);
      expect(body.executionTime).toBeLessThan(SEED_TIMEOUT_MS + 1_500);
      expect(Date.now() - started).toBeLessThan(15_000);
      const full = await call(stack.app, 'GET', `/api/v1/submissions/${body.submissionId}`, { headers: bearer(token) });
      expect(full.body.message).toMatch(/time limit of 2000 ms exceeded/);
      expect(full.body.cpuTimeMs).toBeLessThanOrEqual(SEED_TIMEOUT_MS + 500);
    });
  });

  describe('when the program sleeps past the timeout', () => {
    it('should answer "Execution timeout" too', async () => {
      expect(await coderank(SLEEPER)).toMatchObject({ verdict: 'time_limit_exceeded', output: 'Execution timeout', error: 'Execution timeout' });
    });
  });

  describe('when the program runs out of memory, floods its output, or crashes', () => {
    it.each([
      ['memory', HOG, 'memory_limit_exceeded', /Memory limit exceeded: memory limit of 128 MB exceeded/],
      ['output', FLOOD, 'output_limit_exceeded', /\nOutput limit exceeded: output limit of 65536 bytes \(stdout \+ stderr\) exceeded$/],
      ['crash', CRASH, 'runtime_error', /^before\n[\s\S]*ValueError: boom\nRuntime error: exited with code 1$/],
    ])('should say so after the output (%s)', async (_name, code, verdict, output) => {
      const body = await coderank(code);
      expect(body.verdict).toBe(verdict);
      expect(body.output).toMatch(output);
      expect(body.error).toEqual(expect.stringContaining(body.output.split('\n').at(-1)));
    });
  });

  describe('when the program succeeds', () => {
    it('should give its output alone and no error', async () => {
      expect(await coderank('print("fine")\n')).toMatchObject({ verdict: 'accepted', output: 'fine\n', error: null });
    });
  });
});

describe('seed 004 (CodeWar) POST /run', () => {
  it.each([
    ['a timeout', CPU_LOOP, 'time_limit_exceeded', /^Time limit exceeded: (CPU time|wall-time) limit of 2000 ms exceeded$/],
    ['a silent non-zero exit', SILENT_EXIT, 'runtime_error', /^Runtime error: exited with code 3$/],
    ['a memory hog', HOG, 'memory_limit_exceeded', /Memory limit exceeded: memory limit of 128 MB exceeded/],
    ['an output flood', FLOOD, 'output_limit_exceeded', /\nOutput limit exceeded: output limit of 65536 bytes/],
  ])('should put a message in output for %s instead of leaving it blank', async (_name, code, verdict, output) => {
    const response = await call(stack.app, 'POST', '/run', { headers: bearer(token), payload: { code, language: 'python', input: '' } });
    expect(response.statusCode).toBe(200);
    expect(response.body.verdict).toBe(verdict);
    expect(response.body.output).toMatch(output);
  });
});

describe('seed 003 (JustCoding) POST /compile', () => {
  it.each([
    ['a timeout', CPU_LOOP, 'time_limit_exceeded', /^Time limit exceeded: /],
    ['a silent non-zero exit', SILENT_EXIT, 'runtime_error', /^Runtime error: exited with code 3$/],
  ])('should answer success false with the reason as message and output for %s', async (_name, code, verdict, message) => {
    const response = await call(stack.app, 'POST', '/compile', { headers: bearer(token), payload: { language: 'python', code, stdin: '' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ success: false, verdict });
    expect(response.body.message).toMatch(message);
    expect(response.body.output).toBe(response.body.message);
  });

  it('should carry no message for a run that succeeded', async () => {
    const response = await call(stack.app, 'POST', '/compile', { headers: bearer(token), payload: { language: 'python', code: 'print(1)' } });
    expect(response.body).toMatchObject({ success: true, output: '1\n' });
    expect(response.body).not.toHaveProperty('message');
  });
});
