// Shared state and helpers of the room modules: dependencies, loaded rooms, connections, sequenced emission.
import type { Identity } from '../domain/identity.js';
import { AppError, ROOMS_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/store.js';
import type { SubmissionService } from '../submissions/index.js';
import type { RoomCaps } from './execution-payloads.js';
import type { LoadedRoom } from './loaded-room.js';
import type { RealtimeOptions } from './realtime-options.js';
import { RoomSequencer } from './room-sequencer.js';
import type { RoomConnection, RoomTransport } from './room-transport.js';
import type { RoomEventBase } from '../contract/realtime.js';

/** The parts of the submission service rooms use. */
export type RoomService = Pick<SubmissionService, 'submit' | 'cancel' | 'snapshot' | 'roomHistory' | 'subscribe' | 'languages'>;

/** The parts of the store rooms use. */
export type RoomStore = Pick<Store, 'getRoom' | 'nextRoomSequence' | 'saveRoomCode' | 'saveRoomDocument'>;

export interface RoomHubDeps {
  service: RoomService;
  store: RoomStore;
  transport: RoomTransport;
  logger: Logger;
  /** Largest code a room may hold, bytes (`limits.maxCodeBytes`). */
  maxCodeBytes: number;
  /** Room caps of the scheduler, reported in status events. */
  caps: RoomCaps;
  options: RealtimeOptions;
}

/** One event to emit under a fresh sequence number; several names share the payload (e.g. completed + result). */
export interface SequencedEvent {
  names: readonly string[];
  payload: object;
  exceptConnectionId?: string;
}

interface ConnectionState {
  identity: Identity;
  rooms: Set<string>;
}

/** What the room modules share; one per hub. */
export class RoomContext {
  readonly sequencer: RoomSequencer;
  readonly rooms = new Map<string, LoadedRoom>();
  readonly connections = new Map<string, ConnectionState>();

  constructor(readonly deps: RoomHubDeps) {
    this.sequencer = new RoomSequencer(deps.store);
  }

  /** Allocates one sequence per event and broadcasts them in order; call it only from inside the room's chain. */
  async emit(roomId: string, events: readonly SequencedEvent[]): Promise<number> {
    if (events.length === 0) return this.rooms.get(roomId)?.lastSequence ?? 0;
    const first = await this.sequencer.allocate(roomId, events.length);
    const last = first + events.length - 1;
    const room = this.rooms.get(roomId);
    if (room) room.lastSequence = last;
    const timestamp = new Date().toISOString();
    events.forEach((event, index) => {
      const payload = { roomId, sequence: first + index, timestamp, ...event.payload };
      for (const name of event.names) this.deps.transport.broadcast(roomId, name, payload, event.exceptConnectionId);
    });
    return last;
  }

  /** Fields of an event sent to one connection: it carries the room's current sequence without taking a new one. */
  base(room: LoadedRoom): RoomEventBase {
    return { roomId: room.roomId, sequence: room.lastSequence, timestamp: new Date().toISOString() };
  }

  /** The loaded room the connection has joined, or `RUNLANE_ERR_ROOMS_NOT_JOINED`. */
  member(connection: RoomConnection, roomId: string): LoadedRoom {
    const room = this.rooms.get(roomId);
    if (!room || !room.presence.has(connection.id)) {
      throw new AppError(ROOMS_ERRORS.notJoined, `join room ${roomId} before acting in it`, { details: { roomId } });
    }
    return room;
  }

  /** The room an event without a roomId refers to: the only room the connection is in. */
  resolveRoomId(connection: RoomConnection, roomId: string | undefined): string {
    if (roomId !== undefined) return roomId;
    const joined = [...(this.connections.get(connection.id)?.rooms ?? [])];
    if (joined.length === 1) return joined[0]!;
    if (joined.length === 0) throw new AppError(ROOMS_ERRORS.notJoined, 'join a room first');
    throw new AppError(ROOMS_ERRORS.badPayload, 'this socket is in several rooms: name the room with `roomId`', { details: { field: 'roomId' } });
  }

}
