// The handshake limit's bookkeeping: places taken at allowRequest, given back however the connection ends, refusals marked.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOMS_ERRORS } from '../../errors/index.js';
import { HandshakeLimit, type EngineConnection } from './handshake-limit.js';

interface FakeRequest {
  request: IncomingMessage;
  /** The TCP socket under the handshake. */
  tcp: EventEmitter;
}

function handshake(address: string, headers: Record<string, string> = {}): FakeRequest {
  const tcp = Object.assign(new EventEmitter(), { remoteAddress: address });
  return { request: { headers, socket: tcp } as unknown as IncomingMessage, tcp };
}

class FakeConnection extends EventEmitter implements EngineConnection {
  closed = false;
  constructor(readonly request: IncomingMessage) {
    super();
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

function setup(options: { maxConnections?: number; maxConnectionsPerAddress?: number; trustProxy?: boolean } = {}) {
  const warnings: unknown[] = [];
  const limit = new HandshakeLimit({
    maxConnections: options.maxConnections ?? 10,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 2,
    trustProxy: options.trustProxy ?? false,
    logger: { warn: (...args: unknown[]) => warnings.push(args) },
    refusedLingerMs: 1000,
  });
  const engine = new EventEmitter();
  limit.watch(engine as never);
  /** Runs allowRequest and, when it is admitted or marked, the engine's connection event. */
  const connect = (fake: FakeRequest): FakeConnection => {
    let allowed: boolean | undefined;
    limit.allowRequest(fake.request, (_error, success) => (allowed = success));
    expect(allowed).toBe(true);
    const connection = new FakeConnection(fake.request);
    engine.emit('connection', connection);
    return connection;
  };
  return { limit, engine, connect, warnings };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('HandshakeLimit', () => {
  describe('when an address reaches its cap', () => {
    it('should mark the next handshake refused, uncounted, and count other addresses as usual', () => {
      const { limit, connect, warnings } = setup();
      connect(handshake('10.0.0.1'));
      connect(handshake('10.0.0.1'));
      const over = handshake('10.0.0.1');
      connect(over);
      expect(limit.refusalOf(over.request)).toMatchObject({ code: ROOMS_ERRORS.ipConnectionLimit.code, statusCode: 429 });
      expect(limit.open).toBe(2);
      const elsewhere = handshake('10.0.0.2');
      connect(elsewhere);
      expect(limit.refusalOf(elsewhere.request)).toBeNull();
      expect({ open: limit.open, addresses: limit.addresses }).toEqual({ open: 3, addresses: 2 });
      expect(warnings).toHaveLength(1);
    });

    it('should use the forwarded address only behind a trusted proxy', () => {
      const trusting = setup({ trustProxy: true, maxConnectionsPerAddress: 1 });
      trusting.connect(handshake('127.0.0.1', { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }));
      const second = handshake('127.0.0.1', { 'x-forwarded-for': '203.0.113.8' });
      trusting.connect(second);
      expect(trusting.limit.refusalOf(second.request)).toBeNull();
      const wary = setup({ maxConnectionsPerAddress: 1 });
      wary.connect(handshake('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' }));
      const spoofed = handshake('127.0.0.1', { 'x-forwarded-for': '203.0.113.8' });
      wary.connect(spoofed);
      expect(wary.limit.refusalOf(spoofed.request)?.code).toBe(ROOMS_ERRORS.ipConnectionLimit.code);
    });
  });

  describe('when the node reaches its cap', () => {
    it('should mark further handshakes refused with 503 RUNLANE_ERR_ROOMS_CONNECTION_LIMIT', () => {
      const { limit, connect } = setup({ maxConnections: 2, maxConnectionsPerAddress: 5 });
      connect(handshake('10.0.0.1'));
      connect(handshake('10.0.0.2'));
      const over = handshake('10.0.0.3');
      connect(over);
      expect(limit.refusalOf(over.request)).toMatchObject({ code: ROOMS_ERRORS.connectionLimit.code, statusCode: 503 });
    });
  });

  describe('when connections end', () => {
    it('should give the place back when an open connection closes, once', () => {
      const { limit, connect } = setup();
      const fake = handshake('10.0.0.1');
      const connection = connect(fake);
      fake.tcp.emit('close');
      expect(limit.open).toBe(1);
      connection.close();
      connection.emit('close');
      expect({ open: limit.open, addresses: limit.addresses }).toEqual({ open: 0, addresses: 0 });
    });

    it('should give the place back when a handshake fails or its client goes away before the connection opens', () => {
      const { limit, engine } = setup();
      const failed = handshake('10.0.0.1');
      const gone = handshake('10.0.0.1');
      limit.allowRequest(failed.request, () => undefined);
      limit.allowRequest(gone.request, () => undefined);
      expect(limit.open).toBe(2);
      engine.emit('connection_error', { req: failed.request });
      gone.tcp.emit('close');
      expect({ open: limit.open, addresses: limit.addresses }).toEqual({ open: 0, addresses: 0 });
    });
  });

  describe('when a refused client never asks for a namespace', () => {
    it('should close its connection after the linger time', () => {
      vi.useFakeTimers();
      const { connect } = setup({ maxConnectionsPerAddress: 1 });
      connect(handshake('10.0.0.1'));
      const refused = connect(handshake('10.0.0.1'));
      vi.advanceTimersByTime(999);
      expect(refused.closed).toBe(false);
      vi.advanceTimersByTime(1);
      expect(refused.closed).toBe(true);
    });
  });
});
