// In-memory state of a room that has members on this node: presence, the shared document and the code snapshot.
import type { Identity } from '../domain/identity.js';
import { Presence } from './presence.js';
import type { RoomDocument } from './room-document.js';

/** A room with members here; created on the first join and dropped (after saving) when the last member leaves. */
export class LoadedRoom {
  readonly presence = new Presence();
  /** The text `code-change`/`code-update` clients see; trails the Yjs text by at most `codeUpdateIntervalMs`. */
  code: string;
  language: string | null;
  /** Sequence of the event that last changed `code`. */
  codeSequence: number;
  /** Last sequence number emitted for the room. */
  lastSequence: number;
  /** Whoever made the latest Yjs edit, credited in the `code-update` that folds it in. */
  lastEditor: Identity | null = null;
  codeUpdateTimer: NodeJS.Timeout | null = null;
  lastCodeUpdateAt = 0;
  persistTimer: NodeJS.Timeout | null = null;
  /** When the first change not yet written to the store was made (epoch ms), else null. */
  dirtySince: number | null = null;
  /** On a cluster node: set once a stream point gave the room its place in the cluster's stream. */
  synced = false;
  /** Set once the room is unloaded, so late timers and relays leave it alone. */
  closed = false;

  constructor(
    readonly roomId: string,
    readonly document: RoomDocument,
    state: { code: string; language: string | null; sequence: number },
  ) {
    this.code = state.code;
    this.language = state.language;
    this.lastSequence = state.sequence;
    // After a load nobody can prove which text their base sequence saw, so any earlier base is stale.
    this.codeSequence = state.sequence;
  }
}
