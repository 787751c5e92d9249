// A room's shared code as a Yjs document, with awareness (cursors, presence) and the y-protocols sync messages.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { AppError, ROOMS_ERRORS } from '../errors/index.js';

/** Name of the Y.Text holding the room's code; clients bind their editor to `doc.getText('code')`. */
export const CODE_TEXT_NAME = 'code';

/** Origin of changes the server makes itself (a `code-change` from a client that does not speak Yjs, a truncation). */
export const SERVER_ORIGIN = Symbol('server');

/** Origin of changes relayed from another node of a cluster: sent to this node's members, never relayed back. */
export const REMOTE_ORIGIN = Symbol('remote');

export type ChangeOrigin = string | typeof SERVER_ORIGIN | typeof REMOTE_ORIGIN;

export interface RoomDocumentListener {
  /** The document changed; `message` is the sync message to relay to every other connection, `update` the bare Yjs update. */
  onUpdate(message: Uint8Array, origin: ChangeOrigin, update: Uint8Array): void;
  /** Awareness states changed; `message` is an awareness update to relay. */
  onAwareness(message: Uint8Array, origin: ChangeOrigin): void;
}

/** One room's Y.Doc and Awareness; every change is reported to the listener for relaying and saving. */
export class RoomDocument {
  private readonly doc = new Y.Doc();
  private readonly text: Y.Text;
  private readonly awareness: Awareness;
  /** Awareness client ids each connection announced, so they can be cleared when it leaves. */
  private readonly awarenessClients = new Map<string, Set<number>>();

  constructor(initial: { document: Uint8Array | null; code: string }, listener: RoomDocumentListener) {
    this.text = this.doc.getText(CODE_TEXT_NAME);
    if (initial.document && initial.document.length > 0) Y.applyUpdate(this.doc, initial.document, SERVER_ORIGIN);
    else if (initial.code !== '') this.text.insert(0, initial.code);
    this.awareness = new Awareness(this.doc);
    // The server is a relay, not a participant: it has no cursor of its own.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      listener.onUpdate(encodeMessage((encoder) => syncProtocol.writeUpdate(encoder, update)), toOrigin(origin), update);
    });
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const owner = typeof origin === 'string' ? this.awarenessClients.get(origin) : undefined;
      if (owner) {
        for (const id of [...added, ...updated]) owner.add(id);
        for (const id of removed) owner.delete(id);
      }
      const changed = [...added, ...updated, ...removed];
      listener.onAwareness(encodeAwarenessUpdate(this.awareness, changed), toOrigin(origin));
    });
  }

  /** The current text of the code. */
  get content(): string {
    return this.text.toString();
  }

  /** Replaces the text with `code`, touching only the part that differs so concurrent Yjs edits elsewhere survive. */
  replace(code: string): void {
    const current = this.text.toString();
    if (current === code) return;
    let prefix = 0;
    const shortest = Math.min(current.length, code.length);
    while (prefix < shortest && current.charCodeAt(prefix) === code.charCodeAt(prefix)) prefix += 1;
    let suffix = 0;
    while (
      suffix < shortest - prefix &&
      current.charCodeAt(current.length - 1 - suffix) === code.charCodeAt(code.length - 1 - suffix)
    ) {
      suffix += 1;
    }
    this.doc.transact(() => {
      this.text.delete(prefix, current.length - prefix - suffix);
      this.text.insert(prefix, code.slice(prefix, code.length - suffix));
    }, SERVER_ORIGIN);
  }

  /** Cuts the text down to at most `maxBytes` UTF-8 bytes (a Yjs edit cannot be refused after the fact, only undone). */
  truncate(maxBytes: number): boolean {
    const current = this.text.toString();
    const excess = Buffer.byteLength(current) - maxBytes;
    if (excess <= 0) return false;
    // Every character is at least one byte, so removing `excess` characters is always enough.
    const keep = Math.max(0, current.length - excess);
    this.doc.transact(() => this.text.delete(keep, current.length - keep), SERVER_ORIGIN);
    return true;
  }

  /**
   * Handles a y-protocols sync message from a connection: step 1 gets the step 2 reply returned; step 2 and updates
   * are checked, then applied. Throws `RUNLANE_ERR_ROOMS_BAD_DOCUMENT_UPDATE` for anything that does not decode.
   */
  receiveSync(message: Uint8Array, origin: string): Uint8Array | null {
    try {
      const decoder = decoding.createDecoder(message);
      const type = decoding.readVarUint(decoder);
      if (type === syncProtocol.messageYjsSyncStep1) {
        const stateVector = decoding.readVarUint8Array(decoder);
        return encodeMessage((encoder) => syncProtocol.writeSyncStep2(encoder, this.doc, stateVector));
      }
      if (type === syncProtocol.messageYjsSyncStep2 || type === syncProtocol.messageYjsUpdate) {
        const update = decoding.readVarUint8Array(decoder);
        // Decoding first keeps a malformed update from reaching the shared document at all.
        Y.decodeUpdate(update);
        Y.applyUpdate(this.doc, update, origin);
        return null;
      }
      throw new Error(`unknown sync message type ${type}`);
    } catch (cause) {
      throw new AppError(ROOMS_ERRORS.badDocumentUpdate, `the Yjs sync message could not be applied: ${describe(cause)}`, { cause });
    }
  }

  /** Applies an awareness update from a connection; throws `RUNLANE_ERR_ROOMS_BAD_DOCUMENT_UPDATE` when it does not decode. */
  receiveAwareness(update: Uint8Array, origin: string): void {
    if (!this.awarenessClients.has(origin)) this.awarenessClients.set(origin, new Set());
    try {
      applyAwarenessUpdate(this.awareness, update, origin);
    } catch (cause) {
      throw new AppError(ROOMS_ERRORS.badDocumentUpdate, `the awareness update could not be applied: ${describe(cause)}`, { cause });
    }
  }

  /** Applies a Yjs update made on another node (already checked there). */
  applyRemote(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, REMOTE_ORIGIN);
  }

  /** Applies an awareness update made on another node. */
  applyRemoteAwareness(update: Uint8Array): void {
    applyAwarenessUpdate(this.awareness, update, REMOTE_ORIGIN);
  }

  /** Every awareness state this node knows, as one update, or null when there is none. */
  encodeAwareness(): Uint8Array | null {
    const clients = [...this.awareness.getStates().keys()];
    return clients.length > 0 ? encodeAwarenessUpdate(this.awareness, clients) : null;
  }

  /** Drops the awareness states of a connection that left, telling the others. */
  forget(connectionId: string): void {
    const clients = this.awarenessClients.get(connectionId);
    this.awarenessClients.delete(connectionId);
    if (clients && clients.size > 0) removeAwarenessStates(this.awareness, [...clients], SERVER_ORIGIN);
  }

  /** What a joining connection needs: sync step 1 (to get its unsent edits) and step 2 (the whole document), and current awareness. */
  greeting(): { sync: Uint8Array[]; awareness: Uint8Array | null } {
    const step1 = encodeMessage((encoder) => syncProtocol.writeSyncStep1(encoder, this.doc));
    const step2 = encodeMessage((encoder) => syncProtocol.writeSyncStep2(encoder, this.doc));
    const clients = [...this.awareness.getStates().keys()];
    return { sync: [step1, step2], awareness: clients.length > 0 ? encodeAwarenessUpdate(this.awareness, clients) : null };
  }

  /** The whole document as one update, for the store. */
  encodeState(): Uint8Array {
    return Y.encodeStateAsUpdate(this.doc);
  }

  destroy(): void {
    this.awareness.destroy();
    this.doc.destroy();
  }
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

function encodeMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function toOrigin(origin: unknown): ChangeOrigin {
  if (origin === REMOTE_ORIGIN) return REMOTE_ORIGIN;
  return typeof origin === 'string' ? origin : SERVER_ORIGIN;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
