// Room state queries: every write is one upsert, so concurrent writers never lose an update.
import type { Kysely } from 'kysely';
import type { RoomRecord } from '../store.js';
import type { RoomRow, RoomsTable, StoreDatabase } from '../database.js';
import type { Insertable, Updateable } from 'kysely';

/** Reads a room, or null when nothing was ever written for it. */
export async function selectRoom(db: Kysely<StoreDatabase>, roomId: string): Promise<RoomRecord | null> {
  const row = await db.selectFrom('rooms').selectAll().where('room_id', '=', roomId).executeTakeFirst();
  return row ? fromRoomRow(row) : null;
}

/** Adds `count` to the room's sequence in a single statement and returns the new value. */
export async function advanceRoomSequence(db: Kysely<StoreDatabase>, roomId: string, count: number, now: number): Promise<number> {
  const row = await db
    .insertInto('rooms')
    .values({ ...emptyRoom(roomId, now), sequence: count })
    .onConflict((conflict) =>
      conflict.column('room_id').doUpdateSet((eb) => ({
        sequence: eb('rooms.sequence', '+', eb.ref('excluded.sequence')),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returning('sequence')
    .executeTakeFirstOrThrow();
  return Number(row.sequence);
}

/** Creates the room with `changes` applied, or applies them to the existing row. */
export async function upsertRoom(db: Kysely<StoreDatabase>, roomId: string, changes: Updateable<RoomsTable>, now: number): Promise<void> {
  const update = { ...changes, updated_at: now };
  await db
    .insertInto('rooms')
    .values({ ...emptyRoom(roomId, now), ...update } as Insertable<RoomsTable>)
    .onConflict((conflict) => conflict.column('room_id').doUpdateSet(update))
    .execute();
}

/** Counts one execution against the room. */
export async function countRoomExecution(db: Kysely<StoreDatabase>, roomId: string, at: number, now: number): Promise<void> {
  await db
    .insertInto('rooms')
    .values({ ...emptyRoom(roomId, now), execution_count: 1, last_execution_at: at })
    .onConflict((conflict) =>
      conflict.column('room_id').doUpdateSet((eb) => ({
        execution_count: eb('rooms.execution_count', '+', 1),
        last_execution_at: at,
        updated_at: now,
      })),
    )
    .execute();
}

function emptyRoom(roomId: string, now: number): Insertable<RoomsTable> {
  return { room_id: roomId, code: '', language: null, sequence: 0, document: null, execution_count: 0, last_execution_at: null, updated_at: now };
}

function fromRoomRow(row: RoomRow): RoomRecord {
  return {
    roomId: row.room_id,
    code: row.code,
    language: row.language,
    sequence: Number(row.sequence),
    // Drivers hand back their own buffer types; callers get a plain, independent Uint8Array.
    document: row.document === null ? null : new Uint8Array(row.document),
    executionCount: Number(row.execution_count),
    lastExecutionAt: row.last_execution_at === null ? null : new Date(Number(row.last_execution_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
