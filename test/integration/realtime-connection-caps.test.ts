// Connection caps: per client address, per user and per node on Socket.IO, and the HTTP server's own cap, with REST still answering.
import { connect as connectTcp, type Socket as TcpSocket } from 'node:net';
import { io as connectClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSoftOpenFilesLimit } from '../../src/http/fd-budget.js';
import { eventually } from '../support/http.js';
import { createRealtimeStack, type RealtimeStack } from '../support/realtime.js';
import { makeUser } from '../support/tokens.js';

interface Refusal {
  message: string;
  data?: { code: string; message: string };
}

interface ClientOptions {
  token?: string;
  /** Sent as X-Forwarded-For, which the server trusts in these tests, so each test picks the client address. */
  address: string;
  namespace?: string;
}

describe('connection caps', () => {
  let stack: RealtimeStack;
  const sockets: Socket[] = [];
  let nextAddress = 0;

  beforeAll(async () => {
    stack = await createRealtimeStack({ server: { trustProxy: true }, realtime: { maxConnections: 10, maxConnectionsPerIp: 4, maxConnectionsPerUser: 3 } });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    // Every test starts from an empty node, which also proves that closed connections give their places back.
    expect(await eventually(() => stack.realtime.connections().open === 0 && stack.realtime.connections().sockets === 0)).toBe(true);
    expect(stack.realtime.connections()).toMatchObject({ open: 0, addresses: 0, sockets: 0, users: 0 });
  });
  afterAll(async () => stack?.close());

  /** A fresh client address for each call, so tests never share one. */
  function address(): string {
    nextAddress += 1;
    return `10.77.${Math.floor(nextAddress / 250)}.${nextAddress % 250}`;
  }

  /** Connects over WebSocket only; resolves with the socket, or with the `connect_error` when refused. */
  function open({ token, address: from, namespace = '' }: ClientOptions): Promise<Socket | Refusal> {
    const socket = connectClient(`${stack.url}${namespace}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 20_000,
      extraHeaders: { 'x-forwarded-for': from },
      ...(token === undefined ? {} : { auth: { token } }),
    });
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (error) => {
        socket.close();
        resolve(error as Refusal);
      });
    });
  }

  async function opened(options: ClientOptions): Promise<Socket> {
    const result = await open(options);
    if (!('connected' in result) || !result.connected) throw new Error(`expected a connection, got ${JSON.stringify(result)}`);
    return result;
  }

  async function refused(options: ClientOptions): Promise<Refusal> {
    const result = await open(options);
    if ('connected' in result) throw new Error('expected a refusal, but the connection was accepted');
    return result;
  }

  async function restAnswers(): Promise<void> {
    const user = await makeUser('Reader');
    const health = await fetch(`${stack.url}/health`);
    expect(health.status).toBe(200);
    const languages = await fetch(`${stack.url}/api/v1/languages`, { headers: user.headers });
    expect(languages.status).toBe(200);
  }

  describe('when one client address opens more connections than allowed', () => {
    it('should refuse the one over the cap with RUNLANE_ERR_ROOMS_IP_CONNECTION_LIMIT and keep serving others', async () => {
      const flooder = address();
      const held: Socket[] = [];
      for (let index = 0; index < 4; index += 1) held.push(await opened({ token: (await makeUser(`Flooder ${index}`)).token, address: flooder }));
      const refusal = await refused({ token: (await makeUser('One more')).token, address: flooder });
      expect(refusal.data).toEqual({ code: 'RUNLANE_ERR_ROOMS_IP_CONNECTION_LIMIT', message: expect.stringContaining('at most 4 at once') });
      // An anonymous handshake is refused the same way, before any identity is worked out.
      expect((await refused({ address: flooder })).data?.code).toBe('RUNLANE_ERR_ROOMS_IP_CONNECTION_LIMIT');
      expect(stack.realtime.connections()).toMatchObject({ open: 4, addresses: 1 });

      await opened({ token: (await makeUser('Neighbour')).token, address: address() });
      await restAnswers();

      held[0]!.close();
      expect(await eventually(() => stack.realtime.connections().open === 4)).toBe(true);
      await opened({ token: (await makeUser('Back again')).token, address: flooder });
    });
  });

  describe('when one user opens more connections than allowed', () => {
    it('should refuse the one over the cap with RUNLANE_ERR_ROOMS_USER_CONNECTION_LIMIT, counting both namespaces', async () => {
      const greedy = await makeUser('Greedy');
      const first = await opened({ token: greedy.token, address: address() });
      await opened({ token: greedy.token, address: address(), namespace: '/interactive' });
      await opened({ token: greedy.token, address: address() });
      const refusal = await refused({ token: greedy.token, address: address(), namespace: '/interactive' });
      expect(refusal.data).toEqual({ code: 'RUNLANE_ERR_ROOMS_USER_CONNECTION_LIMIT', message: expect.stringContaining('3 connections') });
      expect(stack.realtime.connections()).toMatchObject({ sockets: 3, users: 1 });

      await opened({ token: (await makeUser('Other')).token, address: address() });
      await restAnswers();

      first.close();
      expect(await eventually(() => stack.realtime.connections().sockets === 3)).toBe(true);
      await opened({ token: greedy.token, address: address() });
    });
  });

  describe('when the node reaches its connection cap', () => {
    it('should refuse further connections with RUNLANE_ERR_ROOMS_CONNECTION_LIMIT while REST keeps answering', async () => {
      expect(stack.realtime.connections().maxConnections).toBe(10);
      const held: Socket[] = [];
      for (let index = 0; index < 10; index += 1) held.push(await opened({ token: (await makeUser(`User ${index}`)).token, address: address() }));
      const refusal = await refused({ token: (await makeUser('Late')).token, address: address() });
      expect(refusal.data).toEqual({ code: 'RUNLANE_ERR_ROOMS_CONNECTION_LIMIT', message: expect.stringContaining('(10)') });
      expect(stack.realtime.connections().open).toBe(10);
      await restAnswers();

      held[0]!.close();
      expect(await eventually(() => stack.realtime.connections().open === 9)).toBe(true);
      await opened({ token: (await makeUser('Now in')).token, address: address() });
    });
  });

  describe('when the caps are left at their defaults', () => {
    it('should keep the node\'s Socket.IO cap at or below half the open-file limit', async () => {
      const plain = await createRealtimeStack();
      try {
        const soft = readSoftOpenFilesLimit(() => undefined);
        const expected = soft === null ? 10_000 : Math.min(10_000, Math.floor(soft / 2));
        expect(plain.realtime.connections().maxConnections).toBe(expected);
        expect(plain.app.server.maxConnections).toBe(soft === null ? 20_000 : Math.min(20_000, Math.floor(soft * 0.75)));
      } finally {
        await plain.close();
      }
    });
  });
});

describe('HTTP connection cap', () => {
  let stack: RealtimeStack;
  const held: TcpSocket[] = [];

  beforeAll(async () => {
    stack = await createRealtimeStack({ server: { maxConnections: 5 } });
  });
  afterAll(async () => {
    for (const socket of held.splice(0)) socket.destroy();
    await stack?.close();
  });

  function openTcp(): Promise<TcpSocket> {
    const { port } = new URL(stack.url);
    return new Promise((resolve, reject) => {
      const socket = connectTcp(Number(port), '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  async function serverConnections(): Promise<number> {
    return new Promise((resolve, reject) => stack.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  describe('when idle connections fill the cap', () => {
    it('should drop new connections at once, and serve again as soon as connections close', async () => {
      expect(stack.app.server.maxConnections).toBe(5);
      for (let index = 0; index < 5; index += 1) held.push(await openTcp());
      expect(await eventually(async () => (await serverConnections()) === 5)).toBe(true);
      await expect(fetch(`${stack.url}/health`)).rejects.toThrow();

      for (const socket of held.splice(0)) socket.destroy();
      expect(await eventually(async () => (await serverConnections()) === 0)).toBe(true);
      expect((await fetch(`${stack.url}/health`)).status).toBe(200);
    });
  });
});
