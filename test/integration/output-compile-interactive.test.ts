// The compiler's output counts against the submission's output cap like a run's, and interactive runs keep none of
// what they stream.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForSubmission } from '../support/http.js';
import { connect, createRealtimeStack, EventRecorder, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

/** A small cap, so an ordinary flood of compiler messages passes it. */
const CAP = 64 * 1024;
const IDENTIFIERS = 1_500;
/** About 150 bytes of gcc messages per line (an error and its note), far past CAP. */
const MANY_ERRORS = `int main(void) {\n${Array.from({ length: IDENTIFIERS }, (_, index) => `  v${index} = 1;`).join('\n')}\n  return 0;\n}\n`;
/** -Wall warns for each unused variable, then the program runs. */
const MANY_WARNINGS = `#include <stdio.h>\nint main(void) {\n${Array.from({ length: IDENTIFIERS }, (_, index) => `  int v${index};`).join('\n')}\n  puts("ran");\n  return 0;\n}\n`;

let stack: RealtimeStack;
const sockets: Socket[] = [];

beforeAll(async () => {
  stack = await createRealtimeStack({ limits: { maxSubmissionOutputBytes: CAP } });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await stack?.close();
});

describe('when a compile fails with more messages than the output cap', () => {
  it('should keep the messages up to the cap, mark them truncated and keep the verdict', async () => {
    const user = await makeUser('Compiler');
    const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload: { language: 'c', source: MANY_ERRORS } });
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({ verdict: 'compilation_error', outputTruncated: true, compile: { verdict: 'compilation_error', stderrTruncated: true } });
    expect(Buffer.byteLength(body.compile.stdout) + Buffer.byteLength(body.compile.stderr)).toBeLessThanOrEqual(CAP);
    expect(body.compile.stderr).toMatch(/v0\W{1,3} undeclared/);
    // The top-level stderr shows the same (cut) messages.
    expect(body.stderr).toBe(body.compile.stdout + body.compile.stderr);

    const reread = await call(stack.app, 'GET', `/api/v1/submissions/${body.id}`, { headers: user.headers });
    expect(reread.body).toEqual(body);
  });
});

describe('when a program compiles with more warnings than the output cap and then runs', () => {
  it("should cut the compiler's messages and still keep the run's output", async () => {
    const user = await makeUser('Warned');
    const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload: { language: 'c', source: MANY_WARNINGS } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ verdict: 'accepted', stdout: 'ran\n', outputTruncated: true, compile: { verdict: 'accepted', stderrTruncated: true } });
    expect(response.body.testCases[0]).toMatchObject({ stdout: 'ran\n', stdoutTruncated: false, stderrTruncated: false });
    expect(Buffer.byteLength(response.body.compile.stderr)).toBeLessThanOrEqual(CAP);
  });
});

describe('when an interactive run streams more output than the cap', () => {
  it('should stream all of it and keep none of it in the stored result', async () => {
    const user = await makeUser('Streamer');
    const socket = await connect(stack.url, { token: user.token, namespace: '/interactive' });
    sockets.push(socket);
    const events = new EventRecorder(socket);
    const lines = 20_000;
    const started = await request(socket, 'start', { language: 'python', code: `import sys\nfor i in range(${lines}):\n    sys.stdout.write("line %06d\\n" % i)\n` });
    expect(started.ok).toBe(true);
    expect(await events.waitFor('exit', () => true, 60_000)).toMatchObject({ executionId: started.executionId, status: 'completed', verdict: 'accepted' });
    const streamed = events.of('stdout').map((chunk) => chunk.data as string).join('');
    expect(streamed.length).toBe(lines * 12);
    expect(streamed.length).toBeGreaterThan(CAP);

    const stored = await waitForSubmission(stack.app, started.executionId, user.headers);
    expect(stored.statusCode).toBe(200);
    expect(stored.body).toMatchObject({ status: 'completed', stdout: '', outputTruncated: false, testCases: [{ stdout: '', stderr: '' }] });
  });
});
