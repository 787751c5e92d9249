// Caps the Socket.IO connections of one user, counted once the handshake token has said who the user is.
import type { ExtendedError, Socket } from 'socket.io';
import { AppError, ROOMS_ERRORS } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { ThrottledWarning } from '../throttled-warning.js';
import { connectRefusal } from './connect-refusal.js';
import { ConnectionCounter } from './connection-counter.js';
import type { SocketData } from './handshake-auth.js';

/**
 * Counts namespace connections per user (a client on both `/` and `/interactive` counts twice) and refuses one over
 * `limit` with `RUNLANE_ERR_ROOMS_USER_CONNECTION_LIMIT`. Its middleware must run after authentication and last, so that
 * every connection it counts does connect.
 */
export class UserConnectionLimit {
  readonly #perUser: ConnectionCounter;
  readonly #refused: ThrottledWarning;
  #sockets = 0;

  /**
   * @param limit namespace connections one user may hold (`realtime.maxConnectionsPerUser`)
   * @param logger where refusals are reported, at most one line per 10 s
   */
  constructor(limit: number, logger: Pick<Logger, 'warn'>) {
    this.#perUser = new ConnectionCounter(limit);
    this.#refused = new ThrottledWarning(logger, 'Socket.IO connection refused: the user has too many open');
  }

  /** Counted namespace connections. */
  get sockets(): number {
    return this.#sockets;
  }

  /** Users holding at least one counted connection. */
  get users(): number {
    return this.#perUser.keys;
  }

  /** The namespace middleware. */
  readonly middleware = (socket: Socket, next: (error?: ExtendedError) => void): void => {
    const { userId } = (socket.data as SocketData).identity;
    if (!this.#perUser.tryAcquire(userId)) {
      const limit = this.#perUser.limit;
      this.#refused.note({ userId, limit });
      next(connectRefusal(new AppError(ROOMS_ERRORS.userConnectionLimit, `you already have ${limit} connections open, the most one user may have; close one first`, { details: { limit } })));
      return;
    }
    this.#sockets += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#sockets -= 1;
      this.#perUser.release(userId);
      socket.conn.off('close', release);
    };
    socket.once('disconnect', release);
    // A client gone before the connection completes never disconnects from the namespace: its engine connection's close frees the place.
    socket.conn.once('close', release);
    if (socket.conn.readyState !== 'open') release();
    next();
  };
}
