// Shared state and helpers of the room modules: dependencies, loaded rooms, connections, sequenced emission.
import type { Identity } from '../domain/identity.js';
import { AppError, ROOMS_ERRORS } from '../errors/index.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/store.js';
import type { SubmissionService } from '../submissions/index.js';
import type { RoomCaps } from './execution-payloads.js';
import type { LoadedRoom } from './loaded-room.js';
import type { RealtimeOptions } from './realtime-options.js';
import type { AppendGuard, AppendOutcome, RoomCluster, RoomInbox } from './room-cluster.js';
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
  /**
   * The other API nodes: room events are numbered and published through it and reach this node's members from it.
   * @defaultValue null (an embedded node: rooms live in this process)
   */
  cluster?: RoomCluster | null;
  /**
   * More execution events for rooms besides the service's: on a cluster node that also runs jobs, the runs of the other
   * workers (the service reports only its own there). Duplicates are harmless: the cluster publishes each stage once.
   * @defaultValue none
   */
  remoteOutcomes?: RoomService['subscribe'];
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

  /** What the cluster delivers to this node (set by the hub); null on an embedded node. */
  inbox: RoomInbox | null = null;

  constructor(readonly deps: RoomHubDeps) {
    this.sequencer = new RoomSequencer(deps.store);
  }

  /** The cluster, or null on an embedded node. */
  get cluster(): RoomCluster | null {
    return this.deps.cluster ?? null;
  }

  /**
   * Publishes the events through the cluster in one atomic step (they reach this node's members when the cluster
   * delivers them back); `guard` decides there whether they go out at all.
   */
  append(cluster: RoomCluster, roomId: string, events: readonly SequencedEvent[], guard?: AppendGuard): Promise<AppendOutcome> {
    const timestamp = new Date().toISOString();
    return cluster.append(
      roomId,
      events.map((event) => ({ names: event.names, payload: { timestamp, ...event.payload }, ...(event.exceptConnectionId ? { exceptConnectionId: event.exceptConnectionId } : {}) })),
      guard,
    );
  }

  /**
   * Allocates one sequence per event and broadcasts them in order; call it only from inside the room's chain. In a
   * cluster the events go through {@link append} (a guard may skip them) and the room's last sequence is returned.
   */
  async emit(roomId: string, events: readonly SequencedEvent[], guard?: AppendGuard): Promise<number> {
    if (events.length === 0) return this.rooms.get(roomId)?.lastSequence ?? 0;
    const cluster = this.cluster;
    if (cluster) {
      const outcome = await this.append(cluster, roomId, events, guard);
      return outcome.status === 'published' ? outcome.last : (this.rooms.get(roomId)?.lastSequence ?? 0);
    }
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
