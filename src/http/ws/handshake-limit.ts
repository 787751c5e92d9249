// Caps Socket.IO connections per client address and in all, decided at the engine.io handshake before any token is checked.
import type { IncomingMessage } from 'node:http';
import { AppError, ROOMS_ERRORS } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { ThrottledWarning } from '../throttled-warning.js';
import { clientAddress } from './client-address.js';
import { ConnectionCounter } from './connection-counter.js';

/** What the limit needs of an engine.io connection. */
export interface EngineConnection {
  /** The handshake request, the one `allowRequest` saw. */
  readonly request: IncomingMessage;
  once(event: 'close', listener: () => void): unknown;
  close(): unknown;
}

/** What the limit needs of the engine.io server (`io.engine`). */
export interface EngineEvents {
  on(event: 'connection', listener: (connection: EngineConnection) => void): unknown;
  on(event: 'connection_error', listener: (error: { req: IncomingMessage }) => void): unknown;
}

export interface HandshakeLimitOptions {
  /** Engine connections on this node, handshakes in progress included (`realtime.maxConnections`, bounded by the fd budget). */
  maxConnections: number;
  /** Engine connections from one client address (`realtime.maxConnectionsPerIp`). */
  maxConnectionsPerAddress: number;
  /** Take the client address from X-Forwarded-For (`server.trustProxy`). */
  trustProxy: boolean;
  /** Where refusals are reported, at most one line per 10 s. */
  logger: Pick<Logger, 'warn'>;
  /**
   * How long a refused connection stays open at most, for a client that never asks for a namespace and so never hears
   * the refusal; a client that does ask is told and closed at once.
   * @defaultValue 5000
   */
  refusedLingerMs?: number;
}

/** A counted place: given back once, whichever way the connection ends. */
interface Lease {
  readonly address: string;
  state: 'pending' | 'open' | 'released';
}

/**
 * Counts engine.io connections per client address and in all. `allowRequest` decides at the handshake; a handshake over
 * a cap is let through uncounted and marked, so that the first namespace middleware can refuse it with a
 * `connect_error` that carries a stable code (engine.io itself can only answer a bare 403). No token is verified for a
 * refused connection, and it is closed as soon as the refusal is sent.
 */
export class HandshakeLimit {
  readonly #options: Required<HandshakeLimitOptions>;
  readonly #perAddress: ConnectionCounter;
  readonly #leases = new WeakMap<IncomingMessage, Lease>();
  readonly #refusals = new WeakMap<IncomingMessage, AppError>();
  /** One warning per cap, so a flood against one does not hide refusals by the other. */
  readonly #refused: Record<'address' | 'node', ThrottledWarning>;
  #open = 0;

  constructor(options: HandshakeLimitOptions) {
    this.#options = { refusedLingerMs: 5000, ...options };
    this.#perAddress = new ConnectionCounter(options.maxConnectionsPerAddress);
    this.#refused = {
      address: new ThrottledWarning(options.logger, 'Socket.IO connection refused: the client address has too many open'),
      node: new ThrottledWarning(options.logger, 'Socket.IO connection refused: the node has as many open as it allows'),
    };
  }

  /** Counted connections, handshakes in progress included. */
  get open(): number {
    return this.#open;
  }

  /** Client addresses holding at least one counted connection. */
  get addresses(): number {
    return this.#perAddress.keys;
  }

  /** engine.io's `allowRequest` option: called once per handshake. Never refuses by itself (see the class comment). */
  readonly allowRequest = (request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void => {
    const address = clientAddress(request.headers, request.socket.remoteAddress, this.#options.trustProxy);
    const refusal = this.#refusalFor(address);
    if (refusal !== null) {
      this.#refusals.set(request, refusal);
      this.#refused[refusal.code === ROOMS_ERRORS.connectionLimit.code ? 'node' : 'address'].note({ address });
      callback(null, true);
      return;
    }
    this.#perAddress.tryAcquire(address);
    this.#open += 1;
    const lease: Lease = { address, state: 'pending' };
    this.#leases.set(request, lease);
    // The engine connection may never open (a failed upgrade, a client gone mid-handshake): the TCP close frees the place then.
    request.socket.once('close', () => {
      if (lease.state === 'pending') this.#release(lease);
    });
    callback(null, true);
  };

  /** Follows the engine's connections, so each counted place is given back when its connection closes. */
  watch(engine: EngineEvents): void {
    engine.on('connection', (connection) => {
      const lease = this.#leases.get(connection.request);
      if (lease !== undefined && lease.state === 'pending') {
        lease.state = 'open';
        connection.once('close', () => this.#release(lease));
      } else if (this.#refusals.has(connection.request)) {
        const timer = setTimeout(() => connection.close(), this.#options.refusedLingerMs);
        timer.unref();
        connection.once('close', () => clearTimeout(timer));
      }
    });
    engine.on('connection_error', ({ req }) => {
      const lease = this.#leases.get(req);
      if (lease !== undefined && lease.state === 'pending') this.#release(lease);
    });
  }

  /** Why the connection of this handshake request was refused, or null when it was admitted. */
  refusalOf(request: IncomingMessage): AppError | null {
    return this.#refusals.get(request) ?? null;
  }

  #refusalFor(address: string): AppError | null {
    const { maxConnections, maxConnectionsPerAddress } = this.#options;
    if (this.#perAddress.countOf(address) >= maxConnectionsPerAddress) {
      return new AppError(
        ROOMS_ERRORS.ipConnectionLimit,
        `too many connections from your address: at most ${maxConnectionsPerAddress} at once; close connections you no longer use`,
        { details: { limit: maxConnectionsPerAddress } },
      );
    }
    if (this.#open >= maxConnections) {
      return new AppError(ROOMS_ERRORS.connectionLimit, `the server has as many live connections as it allows (${maxConnections}); retry in a little while`, {
        details: { limit: maxConnections },
      });
    }
    return null;
  }

  #release(lease: Lease): void {
    if (lease.state === 'released') return;
    lease.state = 'released';
    this.#open -= 1;
    this.#perAddress.release(lease.address);
  }
}
