// The one place old field names live: aliases the seed systems' clients read, added to payloads next to the canonical fields.

/**
 * Names kept for the seeds' clients. New clients read `displayName`, `roomPosition` and `queuePosition`.
 * - `username`: the same as `displayName` (seed 003).
 * - `position`: the place a seed client shows, `roomPosition` in a room and `queuePosition` otherwise (seeds 001, 003).
 */
export interface SeedExecutionAliases {
  /** @deprecated Same as `displayName`; kept for seed 003's clients. */
  username: string;
  /** @deprecated `roomPosition ?? queuePosition`; kept for seed clients. Read `roomPosition` or `queuePosition`. */
  position: number | null;
}

/** A room payload with `position` added: the room place when there is one, else the node-wide one. */
export function withRoomPositionAlias<T extends { roomPosition: number | null; queuePosition: number | null }>(payload: T): T & Pick<SeedExecutionAliases, 'position'> {
  return { ...payload, position: payload.roomPosition ?? payload.queuePosition };
}

/** The execution fields of a room event with the seed names added. */
export function withSeedAliases<T extends { displayName: string; roomPosition: number | null; queuePosition: number | null }>(payload: T): T & SeedExecutionAliases {
  return { ...withRoomPositionAlias(payload), username: payload.displayName };
}

/** A REST or interactive body with `position` kept as the old name of its node-wide `queuePosition`. */
export function withPositionAlias<T extends { queuePosition: number | null }>(payload: T): T & Pick<SeedExecutionAliases, 'position'> {
  return { ...payload, position: payload.queuePosition };
}
