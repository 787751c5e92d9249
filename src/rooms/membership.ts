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
      if (this.context.inbox) return this.joinCluster(connection, room);
      try {
        const { firstForUser } = room.presence.add(connection.id, connection.identity);
        this.context.deps.transport.join(connection.id, roomId);
        state.rooms.add(roomId);
        if (firstForUser) {
          await this.context.emit(roomId, [{ names: [SERVER_EVENTS.userJoined], payload: this.presencePayload(room, connection), exceptConnectionId: connection.id }]);
        }
        const roomState = await this.roomState(room);
        this.context.deps.transport.send(connection.id, SERVER_EVENTS.roomState, roomState);
        this.greet(connection, room);
        return roomState;
      } catch (error) {
        if (room.presence.connectionCount === 0) await this.code.unload(room);
        throw error;
      }
    });
  }

  /**
   * Joins through the cluster: the cluster decides whether this is the user's first connection in the room (on any
   * node) and publishes `user-joined`; then a stream point of the room adds the socket and sends `room-state` at the
   * exact place of the room's stream, so the joiner's next event is `sequence + 1` whichever node publishes it.
   */
  private async joinCluster(connection: RoomConnection, room: LoadedRoom): Promise<RoomStateEvent> {
    const { roomId } = room;
    const cluster = this.context.cluster!;
    const state = this.context.connections.get(connection.id)!;
    const again = room.presence.has(connection.id);
    try {
      if (!again) {
        room.presence.add(connection.id, connection.identity);
        state.rooms.add(roomId);
        const { userId, displayName, avatar, role } = connection.identity;
        await cluster.join(
          roomId,
          { connectionId: connection.id, userId, displayName, avatar, role },
          { names: [SERVER_EVENTS.userJoined], payload: { timestamp: new Date().toISOString(), userId, displayName, avatar }, exceptConnectionId: connection.id },
        );
      }
      return await this.context.inbox!.barrier(roomId, async (point) => {
        const fresh = !room.synced;
        room.lastSequence = point.sequence;
        // As after a load on one node: nobody can prove which text an earlier base sequence saw.
        if (fresh) room.codeSequence = point.sequence;
        room.synced = true;
        this.context.deps.transport.join(connection.id, roomId);
        const roomState = await this.roomState(room, point.users);
        this.context.deps.transport.send(connection.id, SERVER_EVENTS.roomState, roomState);
        if (!again) this.greet(connection, room);
        return roomState;
      });
    } catch (error) {
      if (!again) await this.leaveNow(connection, roomId).catch(() => undefined);
      throw error;
    }
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
      if (this.context.inbox) {
        return this.context.inbox.barrier(roomId, async (point) => {
          room.lastSequence = point.sequence;
          const roomState = await this.roomState(room, point.users);
          this.context.deps.transport.send(connection.id, SERVER_EVENTS.roomState, roomState);
          return roomState;
        });
      }
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
    const cluster = this.context.cluster;
    if (cluster) {
      const { userId, displayName, avatar } = removed.identity;
      await cluster.leave(roomId, connection.id, { names: [SERVER_EVENTS.userLeft], payload: { timestamp: new Date().toISOString(), userId, displayName, avatar } }).catch((error: unknown) => {
        this.context.deps.logger.warn({ err: error, roomId }, 'could not remove a connection from the room presence; it goes when this node stops renewing it');
      });
    } else if (removed.lastForUser) {
      await this.context.emit(roomId, [{ names: [SERVER_EVENTS.userLeft], payload: this.presencePayload(room, { id: connection.id, identity: removed.identity }) }]);
    }
    if (room.presence.connectionCount === 0) await this.code.unload(room);
  }

  /** Sync step 1, sync step 2 and the awareness states, to a connection that just joined. */
  private greet(connection: RoomConnection, room: LoadedRoom): void {
    const greeting = room.document.greeting();
    for (const message of greeting.sync) this.context.deps.transport.send(connection.id, SERVER_EVENTS.documentSync, { roomId: room.roomId, message });
    if (greeting.awareness) this.context.deps.transport.send(connection.id, SERVER_EVENTS.awareness, { roomId: room.roomId, update: greeting.awareness });
  }

  /**
   * Built inside the room's chain (on a cluster node, its delivery chain), so its sequence is exactly the last event
   * the room has emitted; `users` are the cluster's at that point, else this node's.
   */
  private async roomState(room: LoadedRoom, users = room.presence.users()): Promise<RoomStateEvent> {
    const { service, store, caps } = this.context.deps;
    const [snapshot, record] = await Promise.all([service.snapshot(room.roomId), store.getRoom(room.roomId)]);
    const figures = queueFigures(snapshot, caps);
    return {
      ...this.context.base(room),
      code: room.code,
      language: room.language,
      codeSequence: room.codeSequence,
      users,
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
