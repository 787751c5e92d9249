// What a room needs from the other API nodes of a cluster: one ordered stream of sequenced events, presence, and Yjs relays.
import type { PresenceUser } from '../contract/realtime.js';

/** One event of a room as it travels between nodes; every node sends it to its own members of the room. */
export interface ClusterRoomEvent {
  names: readonly string[];
  payload: object;
  /** A connection (on whichever node) that must not receive it. */
  exceptConnectionId?: string;
}

/**
 * A condition checked in the same atomic step that allocates the numbers, so two nodes cannot both publish the same news
 * or publish it out of order. Without one, the events are always published.
 */
export type AppendGuard =
  /**
   * News about one execution, one rank per event (increasing): an event goes out only if nothing of its stage or a later
   * one of the execution was published before. Every node hears every execution event, so all of them try and exactly
   * one wins; a late node never publishes an earlier stage after a later one. Leading events may repeat earlier stages
   * (`execution-queued` before `execution-started`), so a stage this node saw late is not lost when another node saw
   * the later one first.
   */
  | { kind: 'stage'; executionId: string; ranks: readonly number[] }
  /** A plain-text `code-change` based on `base`: refused when the code changed after it (cluster-wide check). */
  | { kind: 'code-change'; base: number; hash: string }
  /** Yjs edits folded into the snapshot: skipped when this very text is already the snapshot. */
  | { kind: 'code-fold'; hash: string };

/** What an append did. */
export type AppendOutcome =
  | { status: 'published'; last: number }
  | { status: 'skipped' }
  /** Refused by a `code-change` guard: the code changed at `codeSequence`. */
  | { status: 'stale'; codeSequence: number };

/** A member connection as the cluster lists it. */
export interface ClusterMember {
  connectionId: string;
  userId: string;
  displayName: string;
  avatar: string | null;
  role: PresenceUser['role'];
}

/** The room's state at a point of its stream: the last sequence published before it, and who is in the room. */
export interface StreamPoint {
  sequence: number;
  users: PresenceUser[];
}

/** What a node does with what the cluster delivers; called in the order the cluster published. */
export interface RoomClusterHandlers {
  /** Sequenced events of a room numbered from `first`, whichever node published them. */
  events(roomId: string, first: number, events: readonly ClusterRoomEvent[]): void;
  /** A point this node asked for with {@link RoomCluster.barrier}: everything published before it has been delivered. */
  point(roomId: string, token: string, point: StreamPoint): void;
  /** A Yjs update made on another node. */
  documentUpdate(roomId: string, update: Uint8Array): void;
  /** An awareness update made on another node. */
  awarenessUpdate(roomId: string, update: Uint8Array): void;
  /** Another node loaded the room and asks for the whole document. */
  documentRequest(roomId: string): void;
}

/** This node's receiving end of the cluster, as the room modules use it. */
export interface RoomInbox extends RoomClusterHandlers {
  /** Publishes a point of the room's stream and runs `atPoint` in the room's delivery order when it arrives. */
  barrier<T>(roomId: string, atPoint: (point: StreamPoint) => Promise<T> | T): Promise<T>;
  /** Resolves once everything received so far has been delivered. */
  drain(): Promise<void>;
}

/** The cluster side of rooms; absent on an embedded node, whose rooms live in one process. */
export interface RoomCluster {
  /** Starts receiving; resolves once everything published from now on reaches `handlers`. */
  start(handlers: RoomClusterHandlers): Promise<void>;
  /** Allocates `events.length` consecutive numbers of the room and publishes the events with them, in one atomic step. */
  append(roomId: string, events: readonly ClusterRoomEvent[], guard?: AppendGuard): Promise<AppendOutcome>;
  /**
   * Adds a member connection and, when it is the user's first in the room (on any node), publishes `joined` with the
   * room's users in the same step. `joined.payload.users` is filled in by the cluster.
   */
  join(roomId: string, member: ClusterMember, joined: ClusterRoomEvent): Promise<void>;
  /** Removes a member connection and, when it was the user's last (on any node), publishes `left` with the users. */
  leave(roomId: string, connectionId: string, left: ClusterRoomEvent): Promise<void>;
  /** Publishes a point of the room's stream for this node, named `token`; the `point` handler gets it. */
  barrier(roomId: string, token: string): Promise<void>;
  publishDocumentUpdate(roomId: string, update: Uint8Array): void;
  publishAwarenessUpdate(roomId: string, update: Uint8Array): void;
  requestDocument(roomId: string): void;
  /** Stops receiving, removes this node's members from presence and writes what the store has not seen yet. */
  close(): Promise<void>;
}
