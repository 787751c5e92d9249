// Attaches Socket.IO to the API's HTTP server: rooms on the main namespace, live programs on `/interactive`, connection caps on both.
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import type { Authenticator } from '../../auth/index.js';
import type { Config } from '../../config/index.js';
import { AppError, QUEUE_ERRORS } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { resolveRealtimeOptions, RoomHub, type RateLimitOptions, type RealtimeOptions, type RoomCluster, type RoomService, type RoomStore } from '../../rooms/index.js';
import type { SubmissionService } from '../../submissions/index.js';
import { connectionCap, readSoftOpenFilesLimit, REALTIME_FD_SHARE } from '../fd-budget.js';
import { connectRefusal } from './connect-refusal.js';
import { handshakeAuth } from './handshake-auth.js';
import { HandshakeLimit } from './handshake-limit.js';
import { serveInteractive } from './interactive-namespace.js';
import { serveRooms } from './room-namespace.js';
import { SocketRoomTransport } from './socket-transport.js';
import { UserConnectionLimit } from './user-connection-limit.js';

/** Namespace of interactive runs. */
export const INTERACTIVE_NAMESPACE = '/interactive';

export interface AttachRealtimeOptions {
  httpServer: HttpServer;
  service: SubmissionService;
  store: RoomStore;
  authenticator: Authenticator;
  config: Config;
  logger: Logger;
  /**
   * The other API nodes of a cluster: room events are numbered and published through it, and each node sends them to
   * its own sockets (see docs/realtime.md "Several nodes"). Closed with the realtime. Interactive runs are refused.
   * @defaultValue null (an embedded node)
   */
  cluster?: RoomCluster | null;
  /**
   * On a cluster node that also runs jobs: the other workers' runs, for rooms (see RoomHubDeps.remoteOutcomes).
   * @defaultValue none
   */
  remoteOutcomes?: RoomService['subscribe'];
  /**
   * Overrides of the realtime tunables (flood limit, message caps, persistence timing).
   * @defaultValue {@link DEFAULT_REALTIME_OPTIONS}
   */
  realtime?: Partial<Omit<RealtimeOptions, 'rateLimit'>> & { rateLimit?: Partial<RateLimitOptions> };
  /**
   * Cross-origin policy for browser clients served from another origin.
   * @defaultValue same origin only
   */
  cors?: ServerOptions['cors'];
}

/** Live Socket.IO connections as the caps count them. */
export interface RealtimeConnections {
  /** Engine connections (one per client, whatever its namespaces), handshakes in progress included. */
  open: number;
  /** Client addresses with at least one of them. */
  addresses: number;
  /** Namespace connections of authenticated users. */
  sockets: number;
  /** Users with at least one of them. */
  users: number;
  /** The node's cap on `open`: `realtime.maxConnections`, at most half the open-file limit. */
  maxConnections: number;
}

export interface Realtime {
  io: Server;
  hub: RoomHub;
  /** What the connection caps currently count. */
  connections(): RealtimeConnections;
  /** Disconnects every socket, saves every room's document and detaches; leaves the HTTP server running. */
  close(): Promise<void>;
}

/** Attaches Socket.IO to the API's HTTP server (before `listen()`), starts relaying room events, and returns the handle to close it. */
export async function attachRealtime(options: AttachRealtimeOptions): Promise<Realtime> {
  const { httpServer, service, store, authenticator, config, logger } = options;
  const realtime = resolveRealtimeOptions(options.realtime);
  const openFiles = readSoftOpenFilesLimit((error) => logger.warn({ err: error }, 'could not read the open-file limit; connection caps apply as configured'));
  const maxConnections = connectionCap(config.realtime.maxConnections, REALTIME_FD_SHARE, openFiles);
  const handshakes = new HandshakeLimit({ maxConnections, maxConnectionsPerAddress: config.realtime.maxConnectionsPerIp, trustProxy: config.server.trustProxy, logger });
  const users = new UserConnectionLimit(config.realtime.maxConnectionsPerUser, logger);
  const io = new Server(httpServer, {
    // The same body cap as REST: a bigger frame closes the socket before any handler could answer it.
    maxHttpBufferSize: config.server.bodyLimitBytes,
    serveClient: false,
    allowRequest: handshakes.allowRequest,
    ...(options.cors ? { cors: options.cors } : {}),
  });
  const rooms = io.of('/');
  const interactive = io.of(INTERACTIVE_NAMESPACE);
  const hub = new RoomHub({
    service,
    store,
    transport: new SocketRoomTransport(rooms),
    logger,
    maxCodeBytes: config.limits.maxCodeBytes,
    caps: { roomMaxConcurrent: config.scheduler.roomMaxRunning, roomMaxQueued: config.scheduler.roomMaxQueued },
    options: realtime,
    cluster: options.cluster ?? null,
    ...(options.remoteOutcomes ? { remoteOutcomes: options.remoteOutcomes } : {}),
  });
  handshakes.watch(io.engine);
  logger.info({ maxConnections, maxConnectionsPerIp: config.realtime.maxConnectionsPerIp, maxConnectionsPerUser: config.realtime.maxConnectionsPerUser, openFiles }, 'realtime connection caps');
  let closing = false;
  const auth = handshakeAuth(authenticator, logger, config.server.trustProxy);
  for (const namespace of [rooms, interactive]) {
    namespace.use((socket, next) => {
      const refusal = handshakes.refusalOf(socket.request);
      if (refusal !== null) {
        next(connectRefusal(refusal));
        // After the refusal has been written (Socket.IO sends it on the next tick), the whole connection goes.
        setImmediate(() => socket.conn.close());
        return;
      }
      if (!closing) return auth(socket, next);
      next(connectRefusal(new AppError(QUEUE_ERRORS.shuttingDown, 'the server is shutting down')));
    });
    // Last, so that every connection it counts does connect.
    namespace.use(users.middleware);
  }
  serveRooms(rooms, hub, logger);
  serveInteractive(interactive, {
    service, logger, options: realtime, maxStdinBytes: config.limits.maxStdinBytes,
    idleTimeout: { defaultMs: config.limits.interactive.defaults.idleTimeoutMs, maxMs: config.limits.interactive.max.idleTimeoutMs },
    refuseStart: Boolean(options.cluster),
  });
  await hub.start();

  return {
    io,
    hub,
    connections: () => ({ open: handshakes.open, addresses: handshakes.addresses, sockets: users.sockets, users: users.users, maxConnections }),
    async close() {
      if (closing) return;
      closing = true;
      // Disconnecting first lets each room's last leave save its document; interactive runs are killed by their sockets' disconnect.
      rooms.disconnectSockets(true);
      interactive.disconnectSockets(true);
      await hub.close();
      await options.cluster?.close();
      await Promise.allSettled([rooms.adapter.close(), interactive.adapter.close()]);
      // Not io.close(): that would also close the HTTP server, which belongs to the API.
      io.engine.close();
    },
  };
}
