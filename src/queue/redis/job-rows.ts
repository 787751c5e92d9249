// Decodes the rows the Lua scripts reply with into the backend's job and place shapes.
import type { BackendJob, BackendJobSpec, BackendPlace } from '../backend.js';

/** id, spec JSON, state, startedAt ('' while queued), attempts. */
export type JobRow = [string, string, string, string, string | number];

export function decodeJob(value: unknown): BackendJob {
  const [, spec, state, startedAt, attempts] = value as JobRow;
  const parsed = JSON.parse(spec) as BackendJobSpec;
  return { ...parsed, state: state === 'active' ? 'active' : 'queued', startedAt: startedAt === '' || startedAt === null ? null : Number(startedAt), attempts: Number(attempts) };
}

/** A place from its position and room position (0 stands for none: Lua tables cannot hold nil). */
export function decodePlace(position: unknown, roomPosition: unknown): BackendPlace {
  const room = Number(roomPosition);
  return { position: Number(position), roomPosition: room === 0 ? null : room };
}

/** A flat [member, count, member, count, …] reply as a map. */
export function decodeCounts(value: unknown): Map<string, number> {
  const flat = value as string[];
  const counts = new Map<string, number>();
  for (let index = 0; index + 1 < flat.length; index += 2) counts.set(flat[index]!, Number(flat[index + 1]));
  return counts;
}
