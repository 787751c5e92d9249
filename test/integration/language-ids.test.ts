// Language ids are canonical wherever they are stored, returned or counted, whichever transport named the language.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually } from '../support/http.js';
import { connect, createRealtimeStack, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';
import { buildRunRequest } from '../../src/cli/run-request.js';
import { normaliseRequest } from '../../src/submissions/normalise-request.js';

/** Each spelling a user might send, the id it must become, and a program that prints `ok` in it. */
const SPELLINGS = [
  { given: 'Python', id: 'python', code: 'print("ok")' },
  { given: 'py', id: 'python', code: 'print("ok")' },
  { given: 'c++', id: 'cpp', code: '#include <cstdio>\nint main() { std::puts("ok"); }\n' },
] as const;

let stack: RealtimeStack;
let user: Awaited<ReturnType<typeof makeUser>>;
let socket: Socket;

beforeAll(async () => {
  stack = await createRealtimeStack({ scheduler: { maxConcurrent: 2 } });
  user = await makeUser('Lang Tester');
  socket = await connect(stack.url, { token: user.token });
});

afterAll(async () => {
  socket?.close();
  await stack?.close();
});

async function storedLanguage(id: string): Promise<string | undefined> {
  return (await stack.store.getSubmission(id))?.request.language;
}

describe('when a language is named by an alias or in another case', () => {
  for (const spelling of SPELLINGS) {
    describe(`as ${JSON.stringify(spelling.given)}`, () => {
      it(`should store and return ${spelling.id} through the native REST route`, async () => {
        const response = await call(stack.app, 'POST', '/api/v1/submissions', {
          headers: user.headers, query: { wait: 'true' }, payload: { language: spelling.given, source: spelling.code },
        });
        expect(response.statusCode).toBe(200);
        expect(response.body).toMatchObject({ language: spelling.id, status: 'completed', verdict: 'accepted' });
        expect(await storedLanguage(response.body.id)).toBe(spelling.id);
        const read = await call(stack.app, 'GET', `/api/v1/submissions/${response.body.id}`, { headers: user.headers });
        expect(read.body.language).toBe(spelling.id);
      });

      it(`should store and return ${spelling.id} through the seed /compile route`, async () => {
        const response = await call(stack.app, 'POST', '/compile', { headers: user.headers, payload: { language: spelling.given, code: spelling.code } });
        expect(response.statusCode).toBe(200);
        expect(response.body).toMatchObject({ success: true, language: spelling.id, output: 'ok\n' });
        expect(await storedLanguage(response.body.executionId)).toBe(spelling.id);
      });

      it(`should store ${spelling.id} for a room's execute-code`, async () => {
        const roomId = `room-${randomUUID()}`;
        expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
        const ack = await request(socket, 'execute-code', { roomId, language: spelling.given, code: spelling.code });
        expect(ack).toMatchObject({ ok: true });
        expect(await storedLanguage(ack.executionId)).toBe(spelling.id);
        expect(await eventually(async () => (await stack.store.getSubmission(ack.executionId))?.status === 'completed', 60_000)).toBe(true);
      });

      it(`should hand the engine ${spelling.id} from the command line's --lang`, async () => {
        const draft = await buildRunRequest(new URL('../../examples/hello.py', import.meta.url).pathname, [], { lang: spelling.given });
        expect(normaliseRequest(draft, { languages: stack.service.languages(), limits: stack.config.limits }).language).toBe(spelling.id);
      });
    });
  }
});

describe('when the language is unknown', () => {
  it('should refuse it with 400 and the list of known ids, on every transport', async () => {
    const rest = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, payload: { language: 'Cobol', source: 'DISPLAY 1' } });
    expect(rest.statusCode).toBe(400);
    expect(rest.body.error.code).toBe('RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE');
    expect(rest.body.error.message).toMatch(/known languages: .*\bpython\b/);
    const compat = await call(stack.app, 'POST', '/compile', { headers: user.headers, payload: { language: 'Cobol', code: 'x' } });
    expect(compat.statusCode).toBe(400);
    const roomId = `room-${randomUUID()}`;
    expect((await request(socket, 'join-room', { roomId })).ok).toBe(true);
    expect(await request(socket, 'execute-code', { roomId, language: 'Cobol', code: 'x' })).toMatchObject({ ok: false, error: { code: 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE' } });
  });
});

describe('when metrics are read after all of that', () => {
  it('should label runs with canonical ids only, never with what a client typed', async () => {
    // Room runs finish asynchronously; wait until every python and cpp run has been counted.
    expect(await eventually(async () => {
      const text = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
      const count = (id: string) => Number(new RegExp(`runlane_run_duration_seconds_count\\{language="${id}",verdict="accepted"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      return count('python') >= 6 && count('cpp') >= 3;
    }, 60_000)).toBe(true);
    const text = (await stack.app.inject({ method: 'GET', url: '/metrics' })).body;
    const labels = new Set([...text.matchAll(/language="([^"]*)"/g)].map((match) => match[1]));
    expect([...labels].sort()).toEqual(['cpp', 'python']);
  });
});
