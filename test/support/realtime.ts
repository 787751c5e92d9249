// Realtime test helpers: the real stack plus Socket.IO on an ephemeral port, clients, acks, and an event recorder.
/* eslint-disable @typescript-eslint/no-explicit-any -- payloads are whatever the server sent; the tests assert their shape. */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { io as connectClient, type Socket } from 'socket.io-client';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { silentLogger } from '../../src/logging/logger.js';
import { attachRealtime, type AttachRealtimeOptions, type Realtime } from '../../src/http/ws/index.js';
import { createTestStack, type ConfigOverrides, type TestStack, type TestStackOptions } from './test-stack.js';

export interface RealtimeStack extends TestStack {
  realtime: Realtime;
  /** `http://127.0.0.1:<port>` of the listening server. */
  url: string;
}

export interface RealtimeStackOptions extends TestStackOptions {
  realtime?: AttachRealtimeOptions['realtime'];
}

/** The real stack with Socket.IO attached, listening on an ephemeral port; `close()` it after the tests. */
export async function createRealtimeStack(overrides: ConfigOverrides = {}, options: RealtimeStackOptions = {}): Promise<RealtimeStack> {
  const stack = await createTestStack(overrides, options);
  let realtime: Realtime;
  try {
    realtime = await attachRealtime({
      httpServer: stack.app.server,
      service: stack.service,
      store: stack.store,
      authenticator: stack.authenticator,
      config: stack.config,
      logger: options.logger ?? silentLogger(),
      ...(options.realtime ? { realtime: options.realtime } : {}),
    });
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await stack.close();
    throw error;
  }
  const address = stack.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed: Promise<void> | null = null;
  return {
    ...stack,
    realtime,
    url: `http://127.0.0.1:${port}`,
    // Sockets first: the HTTP server only finishes closing once no upgraded connection is left.
    close: () => (closed ??= realtime.close().then(() => stack.close())),
  };
}

export interface ConnectOptions {
  /** Sent as `auth.token`; omitted for anonymous clients. */
  token?: string;
  /** @defaultValue '/' */
  namespace?: string;
  timeoutMs?: number;
}

/** Connects a socket.io-client and resolves once connected; rejects with the `connect_error`. */
export function connect(url: string, options: ConnectOptions = {}): Promise<Socket> {
  const socket = connectClient(`${url}${options.namespace ?? ''}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.token === undefined ? {} : { auth: { token: options.token } }),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Emits with an ack and resolves with the server's reply. */
export function request<T = any>(socket: Socket, event: string, payload?: unknown, timeoutMs = 15_000): Promise<T> {
  const timed = socket.timeout(timeoutMs);
  return (payload === undefined ? timed.emitWithAck(event) : timed.emitWithAck(event, payload)) as Promise<T>;
}

export interface RecordedEvent {
  event: string;
  payload: any;
  /** Local receive time, ms (performance.now()). */
  at: number;
}

/** Records every event a socket receives, and waits for the ones a test expects. */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => {
      this.events.push({ event, payload, at: performance.now() });
      for (const wake of this.waiters) wake();
    });
  }

  of(event: string, filter: (payload: any) => boolean = () => true): any[] {
    return this.events.filter((entry) => entry.event === event && filter(entry.payload)).map((entry) => entry.payload);
  }

  /** Resolves with the first matching payload (already received or still to come). */
  waitFor(event: string, filter: (payload: any) => boolean = () => true, timeoutMs = 20_000): Promise<any> {
    return this.waitUntil(() => this.of(event, filter)[0], `${event}`, timeoutMs);
  }

  /** Resolves once `count` matching events were received, with them. */
  waitForCount(event: string, count: number, filter: (payload: any) => boolean = () => true, timeoutMs = 30_000): Promise<any[]> {
    return this.waitUntil(() => {
      const found = this.of(event, filter);
      return found.length >= count ? found : undefined;
    }, `${count} × ${event}`, timeoutMs);
  }

  /** Sequences of the room's sequenced events, in receive order (`execution-result` repeats `execution-completed`, so it is left out). */
  sequences(roomId: string): number[] {
    return this.events
      .filter((entry) => entry.payload?.roomId === roomId && typeof entry.payload?.sequence === 'number' && SEQUENCED.has(entry.event))
      .map((entry) => entry.payload.sequence as number);
  }

  private waitUntil<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = probe();
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${this.events.map((entry) => entry.event).join(', ')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      const wake = (): void => void check();
      if (!check()) this.waiters.add(wake);
    });
  }
}

/** Events that take a new sequence number; `room-state`, `execution-status` and `execution-history` repeat the current one. */
const SEQUENCED = new Set([
  'user-joined',
  'user-left',
  'code-update',
  'execution-queued',
  'queue-position',
  'execution-started',
  'execution-completed',
  'execution-failed',
  'execution-cancelled',
]);

const REMOTE = Symbol('remote');

/** A Yjs editor client over a room socket, speaking the same sync and awareness messages a browser client would. */
export class YjsPeer {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('code');
  readonly awareness = new Awareness(this.doc);

  constructor(
    readonly socket: Socket,
    readonly roomId: string,
  ) {
    socket.on('yjs-sync', ({ roomId: target, message }: { roomId: string; message: Uint8Array }) => {
      if (target !== roomId) return;
      const encoder = encoding.createEncoder();
      syncProtocol.readSyncMessage(decoding.createDecoder(new Uint8Array(message)), encoder, this.doc, REMOTE);
      if (encoding.length(encoder) > 0) socket.emit('yjs-sync', { roomId, message: encoding.toUint8Array(encoder) });
    });
    socket.on('yjs-awareness', ({ roomId: target, update }: { roomId: string; update: Uint8Array }) => {
      if (target === roomId) applyAwarenessUpdate(this.awareness, new Uint8Array(update), REMOTE);
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      const encoder = encoding.createEncoder();
      syncProtocol.writeUpdate(encoder, update);
      socket.emit('yjs-sync', { roomId, message: encoding.toUint8Array(encoder) });
    });
    this.awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === REMOTE) return;
      socket.emit('yjs-awareness', { roomId, update: encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]) });
    });
  }

  /** Sends sync step 1 so the server answers with whatever this peer is missing (and learns what the server lacks). */
  sync(): void {
    const encoder = encoding.createEncoder();
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.socket.emit('yjs-sync', { roomId: this.roomId, message: encoding.toUint8Array(encoder) });
  }

  get content(): string {
    return this.text.toString();
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }
}
