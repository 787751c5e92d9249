// Delivers what the cluster publishes to this node's members: sequenced room events, stream points, Yjs relays.
import { randomUUID } from 'node:crypto';
import { SERVER_EVENTS, type CodeUpdateEvent } from '../contract/realtime.js';
import type { ClusterRoomEvent, RoomCluster, RoomInbox, StreamPoint } from './room-cluster.js';
import type { RoomContext } from './room-context.js';

/** How long a join waits for its stream point before giving up (the channel is down), ms. */
const POINT_TIMEOUT_MS = 10_000;

/**
 * Every room has a delivery chain, fed in the order the channel carries the room's messages. A stream point's work
 * (sending `room-state` and adding the socket to the room) runs in that chain, so the events published before the point
 * are not sent to the joiner and every event published after it is: its first event is `room-state.sequence + 1`.
 */
export class ClusterInbox implements RoomInbox {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly points = new Map<string, (point: StreamPoint) => void>();

  constructor(
    private readonly context: RoomContext,
    private readonly cluster: RoomCluster,
  ) {}

  /** Publishes a point of the room's stream and runs `atPoint` in the room's delivery chain when it arrives. */
  barrier<T>(roomId: string, atPoint: (point: StreamPoint) => Promise<T> | T): Promise<T> {
    const token = randomUUID();
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.points.delete(token);
        reject(new Error(`the rooms channel did not deliver a stream point of room ${roomId} within ${POINT_TIMEOUT_MS} ms`));
      }, POINT_TIMEOUT_MS);
      this.points.set(token, (point) => {
        clearTimeout(timer);
        this.chain(roomId, async () => {
          try {
            resolve(await atPoint(point));
          } catch (error) {
            reject(error);
          }
        });
      });
      this.cluster.barrier(roomId, token).catch((error: unknown) => {
        clearTimeout(timer);
        this.points.delete(token);
        reject(error);
      });
    });
  }

  events(roomId: string, first: number, events: readonly ClusterRoomEvent[]): void {
    this.chain(roomId, () => this.deliver(roomId, first, events));
  }

  point(_roomId: string, token: string, point: StreamPoint): void {
    const waiter = this.points.get(token);
    this.points.delete(token);
    waiter?.(point);
  }

  documentUpdate(roomId: string, update: Uint8Array): void {
    const room = this.context.rooms.get(roomId);
    if (room && !room.closed) this.guarded(roomId, () => room.document.applyRemote(update));
  }

  awarenessUpdate(roomId: string, update: Uint8Array): void {
    const room = this.context.rooms.get(roomId);
    if (room && !room.closed) this.guarded(roomId, () => room.document.applyRemoteAwareness(update));
  }

  documentRequest(roomId: string): void {
    const room = this.context.rooms.get(roomId);
    if (!room || room.closed) return;
    this.cluster.publishDocumentUpdate(roomId, room.document.encodeState());
    const awareness = room.document.encodeAwareness();
    if (awareness) this.cluster.publishAwarenessUpdate(roomId, awareness);
  }

  /** Resolves once everything received so far has been delivered. */
  async drain(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  private deliver(roomId: string, first: number, events: readonly ClusterRoomEvent[]): void {
    // A room with no member here is not loaded: nobody here to send to, and a later join starts from a stream point.
    const room = this.context.rooms.get(roomId);
    if (!room || room.closed) return;
    events.forEach((event, index) => {
      const sequence = first + index;
      const payload = { roomId, sequence, ...event.payload } as Record<string, unknown>;
      room.lastSequence = sequence;
      if (event.names.includes(SERVER_EVENTS.codeUpdate)) {
        const update = payload as unknown as CodeUpdateEvent;
        room.code = update.code;
        room.language = update.language;
        room.codeSequence = sequence;
        room.lastCodeUpdateAt = Date.now();
      }
      for (const name of event.names) this.context.deps.transport.broadcast(roomId, name, payload, event.exceptConnectionId);
    });
  }

  private chain(roomId: string, task: () => Promise<void> | void): void {
    const tail = (this.chains.get(roomId) ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) => this.context.deps.logger.error({ err: error, roomId }, 'failed to deliver room events from the cluster'));
    this.chains.set(roomId, tail);
    void tail.then(() => {
      if (this.chains.get(roomId) === tail) this.chains.delete(roomId);
    });
  }

  private guarded(roomId: string, apply: () => void): void {
    try {
      apply();
    } catch (error) {
      this.context.deps.logger.warn({ err: error, roomId }, 'a document change relayed from another node could not be applied');
    }
  }
}
