// The one place old field names live: aliases the seed systems' clients read, added to payloads next to the canonical fields.

/**
 * Names kept for the seeds' clients. New clients read `displayName`, `roomPosition`, `queuePosition` and `timestamps`.
 * - `username`: the same as `displayName` (seed 003).
 * - `position`: the place a seed client shows, `roomPosition` in a room and `queuePosition` otherwise (seeds 001, 003).
 * - `startTime`: when the execution started, `timestamps.startedAt` (seed 001's execution panel).
 */
export interface SeedExecutionAliases {
  /** @deprecated Same as `displayName`; kept for seed 003's clients. */
  username: string;
  /** @deprecated `roomPosition ?? queuePosition`; kept for seed clients. Read `roomPosition` or `queuePosition`. */
  position: number | null;
  /** @deprecated Same as `timestamps.startedAt` (null while queued); kept for seed 001's clients. */
  startTime: string | null;
}

/**
 * Seed 001's name for when an execution was requested, on the entries of `queued` and `active` lists. Not on events:
 * there `timestamp` is the event's own time (for `execution-queued`, when it was queued).
 */
export interface SeedQueueEntryAliases {
  /** @deprecated Same as `timestamps.queuedAt`; kept for seed 001's clients. */
  timestamp: string;
}

/** Seed 001's `result.status`: its terminal shows `success` or `error`. */
export type SeedResultStatus = 'success' | 'error';

/** A room payload with `position` added: the room place when there is one, else the node-wide one. */
export function withRoomPositionAlias<T extends { roomPosition: number | null; queuePosition: number | null }>(payload: T): T & Pick<SeedExecutionAliases, 'position'> {
  return { ...payload, position: payload.roomPosition ?? payload.queuePosition };
}

/** The execution fields of a room event with the seed names added. */
export function withSeedAliases<T extends { displayName: string; roomPosition: number | null; queuePosition: number | null; timestamps: { startedAt: string | null } }>(
  payload: T,
): T & SeedExecutionAliases {
  return { ...withRoomPositionAlias(payload), username: payload.displayName, startTime: payload.timestamps.startedAt };
}

/** A listed execution (in `queued` or `active`) with seed 001's `timestamp`. */
export function withQueueEntryAliases<T extends { timestamps: { queuedAt: string } }>(entry: T): T & SeedQueueEntryAliases {
  return { ...entry, timestamp: entry.timestamps.queuedAt };
}

/** Seed 001's reading of a verdict: only an accepted run is a `success`. */
export function seedResultStatus(verdict: string): SeedResultStatus {
  return verdict === 'accepted' ? 'success' : 'error';
}

/** A REST or interactive body with `position` kept as the old name of its node-wide `queuePosition`. */
export function withPositionAlias<T extends { queuePosition: number | null }>(payload: T): T & Pick<SeedExecutionAliases, 'position'> {
  return { ...payload, position: payload.queuePosition };
}
