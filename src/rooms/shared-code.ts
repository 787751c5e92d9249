// The room's code: whole-text `code-change`s with stale-write checks, Yjs sync and awareness, and persistence.
import { AppError, ROOMS_ERRORS } from '../errors/index.js';
import type { AwarenessMessage, CodeChange, DocumentSync } from './client-payloads.js';
import { LoadedRoom } from './loaded-room.js';
import type { RoomContext } from './room-context.js';
import { RoomDocument, SERVER_ORIGIN, type ChangeOrigin } from './room-document.js';
import type { RoomConnection } from './room-transport.js';
import { SERVER_EVENTS, type CodeUpdateEvent } from '../contract/realtime.js';

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
        onUpdate: (message, origin) => room && this.onDocumentUpdate(room, message, origin),
        onAwareness: (message, origin) => room && this.relay(room, SERVER_EVENTS.awareness, { roomId, update: message }, origin),
      },
    );
    room = new LoadedRoom(roomId, document, { code: document.content, language: record?.language ?? null, sequence: record?.sequence ?? 0 });
    // A document rebuilt from plain code must be saved, or the next load would rebuild it with other Yjs ids and a
    // client still holding this one would merge both copies of the text.
    if (!record?.document && room.code !== '') room.dirtySince = Date.now();
    this.context.rooms.set(roomId, room);
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
      room.code = payload.code;
      room.language = language;
      room.document.replace(payload.code);
      const sequence = await this.emitCodeUpdate(room, connection.identity, 'code-change');
      return { sequence, changed: true };
    });
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

  private onDocumentUpdate(room: LoadedRoom, message: Uint8Array, origin: ChangeOrigin): void {
    if (room.closed) return;
    this.relay(room, SERVER_EVENTS.documentSync, { roomId: room.roomId, message }, origin);
    this.schedulePersist(room);
    // A server-made change (code-change) already updated the snapshot; only clients' edits need folding in.
    if (origin !== SERVER_ORIGIN && !room.codeUpdateTimer) {
      const wait = Math.max(0, room.lastCodeUpdateAt + this.context.deps.options.codeUpdateIntervalMs - Date.now());
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
