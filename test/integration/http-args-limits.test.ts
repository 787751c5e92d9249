// Program arguments are capped per argument and in total, with a 400 that names the limit, on every transport.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http.js';
import { connect, createRealtimeStack, request, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

const PRINT_ARG_LENGTH = 'import sys\nprint(len(sys.argv[1].encode()))';

describe('program argument caps', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // The default caps: 4 KiB per argument, 64 KiB in all.
    stack = await createRealtimeStack();
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.close();
  });
  afterAll(async () => stack?.close());

  async function submit(args: string[]) {
    const user = await makeUser('Args');
    return call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload: { language: 'python', source: PRINT_ARG_LENGTH, args } });
  }

  describe('when one argument is 200 KB', () => {
    it('should refuse with 400 RUNLANE_ERR_HTTP_ARG_TOO_LARGE naming the limit, before anything runs', async () => {
      const response = await submit(['x'.repeat(200 * 1024)]);
      expect(response.statusCode).toBe(400);
      expect(response.body.error).toEqual({
        code: 'RUNLANE_ERR_HTTP_ARG_TOO_LARGE',
        message: 'args[0] is 204800 bytes; at most 4096 bytes are allowed per argument',
        details: { field: 'args[0]', bytes: 204800, maximum: 4096 },
      });
      expect((await stack.service.stats()).totalInProgress).toBe(0);
    });
  });

  describe('when the arguments are 1 MB together', () => {
    it('should refuse with 400 RUNLANE_ERR_HTTP_ARGS_TOO_LARGE naming the total limit', async () => {
      const response = await submit(Array.from({ length: 64 }, () => 'y'.repeat(4096)));
      expect(response.statusCode).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'RUNLANE_ERR_HTTP_ARGS_TOO_LARGE', details: { bytes: 64 * 4096, maximum: 65536 } });
      expect(response.body.error.message).toContain('at most 65536 bytes are allowed in all');
    });
  });

  describe('when an argument is exactly at the cap', () => {
    it('should run and hand the program the whole argument', async () => {
      const response = await submit(['z'.repeat(4096)]);
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: '4096\n' });
    });
  });

  describe('when a room or an interactive stream sends a too-long argument', () => {
    it('should refuse it with the same code', async () => {
      const user = await makeUser('Socket');
      const room = await connect(stack.url, { token: user.token });
      sockets.push(room);
      const roomId = `room-${randomUUID()}`;
      expect(await request(room, 'join-room', { roomId })).toMatchObject({ ok: true });
      expect(await request(room, 'execute-code', { roomId, language: 'python', code: PRINT_ARG_LENGTH, args: ['x'.repeat(5000)] })).toMatchObject({
        ok: false,
        error: { code: 'RUNLANE_ERR_HTTP_ARG_TOO_LARGE' },
      });
      const live = await connect(stack.url, { token: user.token, namespace: '/interactive' });
      sockets.push(live);
      expect(await request(live, 'start', { language: 'python', code: PRINT_ARG_LENGTH, args: ['x'.repeat(5000)] })).toMatchObject({
        ok: false,
        error: { code: 'RUNLANE_ERR_HTTP_ARG_TOO_LARGE' },
      });
    });
  });
});
