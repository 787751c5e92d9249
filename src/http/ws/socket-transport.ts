// The rooms layer's transport over a Socket.IO namespace; room groups are prefixed so they never clash with socket ids.
import type { Namespace } from 'socket.io';
import type { RoomTransport } from '../../rooms/index.js';

/** Socket.IO room that holds a Runlane room's connections. */
export function roomGroup(roomId: string): string {
  return `room:${roomId}`;
}

/** RoomTransport over the main namespace. */
export class SocketRoomTransport implements RoomTransport {
  constructor(private readonly namespace: Namespace) {}

  broadcast(roomId: string, event: string, payload: unknown, exceptConnectionId?: string): void {
    const target = this.namespace.to(roomGroup(roomId));
    (exceptConnectionId ? target.except(exceptConnectionId) : target).emit(event, payload);
  }

  send(connectionId: string, event: string, payload: unknown): void {
    this.namespace.sockets.get(connectionId)?.emit(event, payload);
  }

  join(connectionId: string, roomId: string): void {
    void this.namespace.sockets.get(connectionId)?.join(roomGroup(roomId));
  }

  leave(connectionId: string, roomId: string): void {
    void this.namespace.sockets.get(connectionId)?.leave(roomGroup(roomId));
  }
}
