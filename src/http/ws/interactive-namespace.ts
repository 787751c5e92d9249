// The `/interactive` namespace: one live program per socket, killed when the socket goes away.
import type { Namespace } from 'socket.io';
import { AppError, ROOMS_ERRORS } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { INTERACTIVE_CLIENT_EVENTS, InteractiveRun, type IdleTimeoutSettings, type InteractiveService, type RealtimeOptions } from '../../rooms/index.js';
import { guardSocket } from './event-guard.js';
import type { SocketData } from './handshake-auth.js';

export interface InteractiveNamespaceOptions {
  service: InteractiveService;
  logger: Logger;
  options: RealtimeOptions;
  /** Total stdin of one run, bytes (`limits.maxStdinBytes`). */
  maxStdinBytes: number;
  /** Idle timeout of a run: default and maximum (`limits.interactive.defaults/max.idleTimeoutMs`). */
  idleTimeout: IdleTimeoutSettings;
  /**
   * Refuse `start` with `RUNLANE_ERR_ROOMS_INTERACTIVE_UNAVAILABLE` (a cluster node: see docs/realtime.md "Several nodes").
   * @defaultValue false
   */
  refuseStart?: boolean;
}

/** Gives every connection of the namespace its own InteractiveRun, disposed on disconnect. */
export function serveInteractive(namespace: Namespace, { service, logger, options, maxStdinBytes, idleTimeout, refuseStart = false }: InteractiveNamespaceOptions): void {
  namespace.on('connection', (socket) => {
    const run = new InteractiveRun({
      service,
      identity: (socket.data as SocketData).identity,
      send: (event, payload) => socket.emit(event, payload),
      logger,
      maxStdinChunkBytes: options.maxStdinChunkBytes,
      maxStdinBytes,
      idleTimeout,
    });
    const guard = guardSocket(socket, INTERACTIVE_CLIENT_EVENTS, options.rateLimit, logger);
    for (const event of INTERACTIVE_CLIENT_EVENTS) {
      socket.on(event, (...args: unknown[]) =>
        guard.respond(event, args, (payload) => {
          if (refuseStart && event === 'start') {
            throw new AppError(ROOMS_ERRORS.interactiveUnavailable, 'interactive runs are not available on a cluster node; connect to an embedded node, or submit the program as a batch execution with its stdin');
          }
          return run.handle(event, payload);
        }),
      );
    }
    socket.on('disconnect', () => run.dispose());
  });
}
