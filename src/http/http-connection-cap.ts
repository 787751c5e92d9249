// Caps the HTTP server's open connections below the open-file limit, so a flood of sockets cannot starve runs and the database.
import type { Server } from 'node:http';
import type { Logger } from '../logging/logger.js';
import { ThrottledWarning } from './throttled-warning.js';

/** Options of {@link capHttpConnections}. */
export interface HttpConnectionCapOptions {
  /** Open connections (REST and upgraded Socket.IO ones together) beyond which new ones are dropped at accept. */
  maxConnections: number;
  /** Where drops are reported, at most one line per 10 s. */
  logger: Pick<Logger, 'warn'>;
}

/**
 * Sets the server's `maxConnections`: Node closes a connection over the cap as soon as it is accepted, which costs next
 * to nothing and keeps the descriptors the server already holds working for the clients it already serves.
 */
export function capHttpConnections(server: Server, { maxConnections, logger }: HttpConnectionCapOptions): void {
  server.maxConnections = maxConnections;
  const warning = new ThrottledWarning(logger, 'HTTP connection cap reached: new connections are dropped');
  server.on('drop', (data) => warning.note({ maxConnections, remoteAddress: data?.remoteAddress }));
}
