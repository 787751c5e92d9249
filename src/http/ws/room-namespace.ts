// Wires each socket of the main namespace to the room hub: connect, the client events, disconnect.
import type { Namespace } from 'socket.io';
import type { Logger } from '../../logging/logger.js';
import { CLIENT_EVENTS, type RoomConnection, type RoomHub } from '../../rooms/index.js';
import { actingConnection } from './acting-connection.js';
import { guardSocket } from './event-guard.js';
import type { SocketData } from './handshake-auth.js';

/** Hands every connection of the namespace to the hub, with the flood and unknown-event guard in front. */
export function serveRooms(namespace: Namespace, hub: RoomHub, logger: Logger): void {
  namespace.on('connection', (socket) => {
    const connection: RoomConnection = { id: socket.id, identity: (socket.data as SocketData).identity };
    hub.connect(connection);
    const guard = guardSocket(socket, CLIENT_EVENTS, hub.options.rateLimit, logger);
    for (const event of CLIENT_EVENTS) {
      socket.on(event, (...args: unknown[]) => guard.respond(event, args, (payload) => hub.handle(event, actingConnection(event, connection, payload), payload)));
    }
    socket.on('disconnect', () => {
      hub.disconnect(connection).catch((error: unknown) => logger.error({ err: error, socketId: socket.id }, 'failed to leave rooms on disconnect'));
    });
  });
}
