// The room's code: whole-text `code-change`s with stale-write checks, Yjs sync and awareness, and persistence.
import { createHash } from 'node:crypto';
import { AppError, ROOMS_ERRORS } from '../errors/index.js';
import type { AwarenessMessage, CodeChange, DocumentSync } from './client-payloads.js';
import { LoadedRoom } from './loaded-room.js';
import type { RoomContext } from './room-context.js';
import type { AppendGuard } from './room-cluster.js';
import { REMOTE_ORIGIN, RoomDocument, SERVER_ORIGIN, type ChangeOrigin } from './room-document.js';
import type { RoomConnection } from './room-transport.js';
import { SERVER_EVENTS, type CodeUpdateEvent } from '../contract/realtime.js';

/** An edit relayed from another node is folded here only this many fold intervals later, as a fallback. */
const REMOTE_FOLD_FACTOR = 10;

/** Identifies a text and its language, for the cluster's check that a fold is not already the snapshot. */
function codeHash(code: string, language: string | null): string {
  return createHash('sha1').update(`${language ?? ''}\n${code}`).digest('hex');
}

/** Loads, edits, folds and saves the rooms' code. */
export class SharedCode {
  constructor(private readonly context: RoomContext) {}

  /** Loads a room from the store (document, or plain code for rooms that never had one); call inside the room's chain. */
  async load(roomId: string): Promise<LoadedRoom> {
    const existing = this.context.rooms.get(roomId);
    if (existing) return existing;
    const record = await this.context.deps.store.getRoom(roomId);
    let room: LoadedRoom | null = null;
    const document = new RoomDocument(
      { document: record?.document ?? null, code: record?.code ?? '' },
      {
        onUpdate: (message, origin, update) => room && this.onDocumentUpdate(room, message, origin, update),
        onAwareness: (message, origin) => {
          if (!room) return;
          this.relay(room, SERVER_EVENTS.awareness, { roomId, update: message }, origin);
          if (origin !== REMOTE_ORIGIN) this.context.cluster?.publishAwarenessUpdate(roomId, message);
        },
      },
    );
    room = new LoadedRoom(roomId, document, { code: document.content, language: record?.language ?? null, sequence: record?.sequence ?? 0 });
    // A document rebuilt from plain code must be saved, or the next load would rebuild it with other Yjs ids and a
    // client still holding this one would merge both copies of the text.
    if (!record?.document && room.code !== '') room.dirtySince = Date.now();
    this.context.rooms.set(roomId, room);
    // Other nodes may hold edits the store has not seen yet (saving trails editing): they answer with their document.
    this.context.cluster?.requestDocument(roomId);
    return room;
  }

  /** Writes what is unsaved and forgets the room; call inside the room's chain once its last member left. */
  async unload(room: LoadedRoom): Promise<void> {
    room.closed = true;
    this.context.rooms.delete(room.roomId);
    if (room.codeUpdateTimer) clearTimeout(room.codeUpdateTimer);
    await this.persist(room);
    room.document.destroy();
  }

  /** Applies a whole-text change unless it was based on an older text than the current one. */
  async change(connection: RoomConnection, payload: CodeChange): Promise<{ sequence: number; changed: boolean }> {
    const { maxCodeBytes } = this.context.deps;
    const bytes = Buffer.byteLength(payload.code);
    if (bytes > maxCodeBytes) {
      throw new AppError(ROOMS_ERRORS.payloadTooLarge, `code-change: the code is ${bytes} bytes; at most ${maxCodeBytes} bytes are allowed`, {
        details: { bytes, maximum: maxCodeBytes },
      });
    }
    return this.context.sequencer.run(payload.roomId, async () => {
      const room = this.context.member(connection, payload.roomId);
      // Yjs edits not yet folded into the snapshot count as newer text: fold them first so the check sees them.
      await this.flushCode(room);
      if (payload.sequence < room.codeSequence) {
        throw new AppError(ROOMS_ERRORS.staleSequence, `code-change was based on sequence ${payload.sequence}; the code changed at sequence ${room.codeSequence}`, {
          details: { current: { code: room.code, language: room.language, sequence: room.lastSequence, codeSequence: room.codeSequence } },
        });
      }
      const language = payload.language ?? room.language;
      if (payload.code === room.code && language === room.language) return { sequence: room.lastSequence, changed: false };
      if (this.context.cluster) return this.changeInCluster(connection, room, payload.code, language, payload.sequence);
      room.code = payload.code;
      room.language = language;
      room.document.replace(payload.code);
      const sequence = await this.emitCodeUpdate(room, connection.identity, 'code-change');
      return { sequence, changed: true };
    });
  }

  /**
   * A `code-change` on a cluster node: the stale check is made again in the step that publishes the `code-update`, so
   * two nodes accepting changes based on the same sequence cannot both win. The snapshot itself changes when the event
   * is delivered back, on every node alike.
   */
  private async changeInCluster(connection: RoomConnection, room: LoadedRoom, code: string, language: string | null, base: number): Promise<{ sequence: number; changed: boolean }> {
    const outcome = await this.appendCodeUpdate(room, code, language, connection.identity, 'code-change', { kind: 'code-change', base, hash: codeHash(code, language) });
    if (outcome.status === 'stale') {
      throw new AppError(ROOMS_ERRORS.staleSequence, `code-change was based on sequence ${base}; the code changed at sequence ${outcome.codeSequence}`, {
        details: { current: { code: room.code, language: room.language, sequence: room.lastSequence, codeSequence: outcome.codeSequence } },
      });
    }
    room.document.replace(code);
    return { sequence: outcome.status === 'published' ? outcome.last : room.lastSequence, changed: outcome.status === 'published' };
  }

  /** Handles a y-protocols sync message; the reply (sync step 2) goes back to the sender only. */
  sync(connection: RoomConnection, payload: DocumentSync): void {
    const room = this.context.member(connection, payload.roomId);
    this.checkSize('yjs-sync', payload.message.byteLength);
    room.lastEditor = connection.identity;
    const reply = room.document.receiveSync(payload.message, connection.id);
    if (reply) this.context.deps.transport.send(connection.id, SERVER_EVENTS.documentSync, { roomId: room.roomId, message: reply });
    if (room.document.truncate(this.context.deps.maxCodeBytes)) {
      throw new AppError(ROOMS_ERRORS.payloadTooLarge, `the document grew past ${this.context.deps.maxCodeBytes} bytes and was cut back`, {
        details: { maximum: this.context.deps.maxCodeBytes },
      });
    }
  }

  awareness(connection: RoomConnection, payload: AwarenessMessage): void {
    const room = this.context.member(connection, payload.roomId);
    this.checkSize('yjs-awareness', payload.update.byteLength);
    room.document.receiveAwareness(payload.update, connection.id);
  }

  /** Folds Yjs edits into the code snapshot with a `code-update`; call inside the room's chain. */
  async flushCode(room: LoadedRoom): Promise<void> {
    if (room.codeUpdateTimer) {
      clearTimeout(room.codeUpdateTimer);
      room.codeUpdateTimer = null;
    }
    if (room.closed) return;
    const text = room.document.content;
    if (text === room.code) return;
    if (this.context.cluster) {
      // Every node holding the room may fold the same edits; the hash lets only the first publish them.
      await this.appendCodeUpdate(room, text, room.language, room.lastEditor, 'document', { kind: 'code-fold', hash: codeHash(text, room.language) });
      return;
    }
    room.code = text;
    await this.emitCodeUpdate(room, room.lastEditor, 'document');
  }

  /** Writes the document and the code snapshot to the store; call inside the room's chain. */
  async persist(room: LoadedRoom): Promise<void> {
    if (room.persistTimer) {
      clearTimeout(room.persistTimer);
      room.persistTimer = null;
    }
    if (room.dirtySince === null) return;
    room.dirtySince = null;
    const { store } = this.context.deps;
    await store.saveRoomDocument(room.roomId, room.document.encodeState());
    await store.saveRoomCode(room.roomId, room.document.content, room.language);
  }

  private async emitCodeUpdate(room: LoadedRoom, editor: RoomConnection['identity'] | null, source: CodeUpdateEvent['source']): Promise<number> {
    const payload: Omit<CodeUpdateEvent, 'roomId' | 'sequence' | 'timestamp'> = {
      code: room.code,
      language: room.language,
      userId: editor?.userId ?? null,
      displayName: editor?.displayName ?? null,
      avatar: editor?.avatar ?? null,
      source,
    };
    const sequence = await this.context.emit(room.roomId, [{ names: [SERVER_EVENTS.codeUpdate], payload }]);
    room.codeSequence = sequence;
    room.lastCodeUpdateAt = Date.now();
    this.schedulePersist(room);
    return sequence;
  }

  /** Publishes a `code-update` through the cluster; the snapshot follows when it is delivered back. */
  private async appendCodeUpdate(room: LoadedRoom, code: string, language: string | null, editor: RoomConnection['identity'] | null, source: CodeUpdateEvent['source'], guard: AppendGuard) {
    const payload: Omit<CodeUpdateEvent, 'roomId' | 'sequence' | 'timestamp'> = {
      code,
      language,
      userId: editor?.userId ?? null,
      displayName: editor?.displayName ?? null,
      avatar: editor?.avatar ?? null,
      source,
    };
    const outcome = await this.context.append(this.context.cluster!, room.roomId, [{ names: [SERVER_EVENTS.codeUpdate], payload }], guard);
    room.lastCodeUpdateAt = Date.now();
    this.schedulePersist(room);
    return outcome;
  }

  private onDocumentUpdate(room: LoadedRoom, message: Uint8Array, origin: ChangeOrigin, update: Uint8Array): void {
    if (room.closed) return;
    this.relay(room, SERVER_EVENTS.documentSync, { roomId: room.roomId, message }, origin);
    if (origin !== REMOTE_ORIGIN) this.context.cluster?.publishDocumentUpdate(room.roomId, update);
    this.schedulePersist(room);
    // A server-made change (code-change) already updated the snapshot; only clients' edits need folding in. An edit
    // relayed from another node is folded there; here only later, in case that node went away before folding it.
    if (origin !== SERVER_ORIGIN && !room.codeUpdateTimer) {
      const interval = this.context.deps.options.codeUpdateIntervalMs * (origin === REMOTE_ORIGIN ? REMOTE_FOLD_FACTOR : 1);
      const wait = Math.max(0, room.lastCodeUpdateAt + interval - Date.now());
      room.codeUpdateTimer = setTimeout(() => {
        room.codeUpdateTimer = null;
        this.inChain(room, () => this.flushCode(room));
      }, wait);
    }
  }

  private schedulePersist(room: LoadedRoom): void {
    const { persistDebounceMs, persistMaxDelayMs } = this.context.deps.options;
    const now = Date.now();
    room.dirtySince ??= now;
    if (room.persistTimer) clearTimeout(room.persistTimer);
    const wait = Math.max(0, Math.min(persistDebounceMs, room.dirtySince + persistMaxDelayMs - now));
    room.persistTimer = setTimeout(() => {
      room.persistTimer = null;
      this.inChain(room, () => this.persist(room));
    }, wait);
  }

  private inChain(room: LoadedRoom, task: () => Promise<void>): void {
    this.context.sequencer.run(room.roomId, () => (room.closed ? undefined : task())).catch((error: unknown) => {
      this.context.deps.logger.error({ err: error, roomId: room.roomId }, 'failed to update or save a room document');
    });
  }

  private relay(room: LoadedRoom, event: string, payload: object, origin: ChangeOrigin): void {
    const except = typeof origin === 'string' ? origin : undefined;
    this.context.deps.transport.broadcast(room.roomId, event, payload, except);
  }

  private checkSize(event: string, bytes: number): void {
    const maximum = this.context.deps.options.maxDocumentMessageBytes;
    if (bytes > maximum) {
      throw new AppError(ROOMS_ERRORS.payloadTooLarge, `${event}: the message is ${bytes} bytes; at most ${maximum} bytes are allowed`, {
        details: { bytes, maximum },
      });
    }
  }
}
