// What the rooms layer needs from a transport (Socket.IO today): groups, broadcasts and direct sends.
import type { Identity } from '../domain/identity.js';

/** One client connection, identified by the transport, acting as a verified user. */
export interface RoomConnection {
  id: string;
  identity: Identity;
}

export interface RoomTransport {
  /** Sends to every connection in the room (across nodes when the transport has an adapter), except `exceptConnectionId`. */
  broadcast(roomId: string, event: string, payload: unknown, exceptConnectionId?: string): void;
  /** Sends to one connection. */
  send(connectionId: string, event: string, payload: unknown): void;
  /** Adds a connection to the room's broadcast group. */
  join(connectionId: string, roomId: string): void;
  /** Removes a connection from the room's broadcast group. */
  leave(connectionId: string, roomId: string): void;
}
