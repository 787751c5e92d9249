// Joining and leaving rooms: presence, the join handshake (room-state, then the Yjs greeting) and unloading empty rooms.
import { withClaimedName } from '../domain/identity.js';
import { AppError, ROOMS_ERRORS } from '../errors/index.js';
import { queueFigures } from './execution-payloads.js';
import type { LoadedRoom } from './loaded-room.js';
import type { RoomContext } from './room-context.js';
import type { RoomConnection } from './room-transport.js';
import { SERVER_EVENTS, type PresenceEvent, type RoomStateEvent } from '../contract/realtime.js';
import type { SharedCode } from './shared-code.js';

/** Presence and the join/leave handshakes of the rooms on this node. */
export class Membership {
  constructor(
    private readonly context: RoomContext,
    private readonly code: SharedCode,
  ) {}

  connect(connection: RoomConnection): void {
    this.context.connections.set(connection.id, { identity: connection.identity, rooms: new Set() });
  }

  /** Leaves every room the connection is in; it may already be gone from the transport. */
  async disconnect(connection: RoomConnection): Promise<void> {
    const state = this.context.connections.get(connection.id);
    // Removed first, so a join still waiting in a room's chain sees the connection is gone.
    this.context.connections.delete(connection.id);
    if (!state) return;
    await Promise.all([...state.rooms].map((roomId) => this.context.sequencer.run(roomId, () => this.leaveNow(connection, roomId))));
  }

  /**
   * Joins a room. The joiner gets `room-state` carrying the sequence of its own `user-joined`, which only the others
   * receive; every later room event then follows without a gap. A second join of the same room just resends the state.
   */
  async join(connection: RoomConnection, roomId: string, claimedName?: string | null): Promise<RoomStateEvent> {
    return this.context.sequencer.run(roomId, async () => {
      const state = this.context.connections.get(connection.id);
      if (!state) throw new AppError(ROOMS_ERRORS.notJoined, 'the connection closed before it joined the room');
      // A tokenless connection is shown by the name it claims (seed 003 sends one); a verified identity keeps its own.
      connection.identity = withClaimedName(connection.identity, claimedName);
      state.identity = connection.identity;
      const { maxRoomsPerConnection } = this.context.deps.options;
      if (!state.rooms.has(roomId) && state.rooms.size >= maxRoomsPerConnection) {
        throw new AppError(ROOMS_ERRORS.tooManyRooms, `this connection is already in ${state.rooms.size} rooms; leave one before joining another`, {
          details: { maximum: maxRoomsPerConnection },
        });
      }
      const room = await this.code.load(roomId);
      try {
        const { firstForUser } = room.presence.add(connection.id, connection.identity);
        this.context.deps.transport.join(connection.id, roomId);
        state.rooms.add(roomId);
        if (firstForUser) {
          await this.context.emit(roomId, [{ names: [SERVER_EVENTS.userJoined], payload: this.presencePayload(room, connection), exceptConnectionId: connection.id }]);
        }
        const roomState = await this.roomState(room);
        this.context.deps.transport.send(connection.id, SERVER_EVENTS.roomState, roomState);
        const greeting = room.document.greeting();
        for (const message of greeting.sync) this.context.deps.transport.send(connection.id, SERVER_EVENTS.documentSync, { roomId, message });
        if (greeting.awareness) this.context.deps.transport.send(connection.id, SERVER_EVENTS.awareness, { roomId, update: greeting.awareness });
        return roomState;
      } catch (error) {
        if (room.presence.connectionCount === 0) await this.code.unload(room);
        throw error;
      }
    });
  }

  async leave(connection: RoomConnection, roomId: string): Promise<{ roomId: string }> {
    return this.context.sequencer.run(roomId, async () => {
      this.context.member(connection, roomId);
      await this.leaveNow(connection, roomId);
      return { roomId };
    });
  }

  /** Sends the current `room-state` to one connection, e.g. after it noticed a gap in sequences. */
  async resendState(connection: RoomConnection, roomId: string): Promise<RoomStateEvent> {
    return this.context.sequencer.run(roomId, async () => {
      const room = this.context.member(connection, roomId);
      const roomState = await this.roomState(room);
      this.context.deps.transport.send(connection.id, SERVER_EVENTS.roomState, roomState);
      return roomState;
    });
  }

  private async leaveNow(connection: RoomConnection, roomId: string): Promise<void> {
    this.context.connections.get(connection.id)?.rooms.delete(roomId);
    const room = this.context.rooms.get(roomId);
    const removed = room?.presence.remove(connection.id);
    if (!room || !removed) return;
    this.context.deps.transport.leave(connection.id, roomId);
    room.document.forget(connection.id);
    if (removed.lastForUser) {
      await this.context.emit(roomId, [{ names: [SERVER_EVENTS.userLeft], payload: this.presencePayload(room, { id: connection.id, identity: removed.identity }) }]);
    }
    if (room.presence.connectionCount === 0) await this.code.unload(room);
  }

  /** Built inside the room's chain, so its sequence is exactly the last event the room has emitted. */
  private async roomState(room: LoadedRoom): Promise<RoomStateEvent> {
    const { service, store, caps } = this.context.deps;
    const [snapshot, record] = await Promise.all([service.snapshot(room.roomId), store.getRoom(room.roomId)]);
    const figures = queueFigures(snapshot, caps);
    return {
      ...this.context.base(room),
      code: room.code,
      language: room.language,
      codeSequence: room.codeSequence,
      users: room.presence.users(),
      executionState: {
        ...figures,
        isExecuting: figures.activeCount > 0,
        executionCount: record?.executionCount ?? 0,
        lastExecutionAt: record?.lastExecutionAt?.toISOString() ?? null,
      },
    };
  }

  private presencePayload(room: LoadedRoom, connection: RoomConnection): Omit<PresenceEvent, 'roomId' | 'sequence' | 'timestamp'> {
    const { userId, displayName, avatar } = connection.identity;
    return { userId, displayName, avatar, users: room.presence.users() };
  }
}
