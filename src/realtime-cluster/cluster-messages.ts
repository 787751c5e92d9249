// The messages of the rooms channel, as the scripts and the nodes write them.
import type { PresenceUser } from '../contract/realtime.js';
import type { ClusterRoomEvent } from '../rooms/index.js';

/** One message of the channel; `r` is the room, `n` the node that sent it. */
export type ClusterMessage =
  /** Sequenced events numbered from `f`. */
  | { k: 'e'; r: string; n?: string; f: number; e: ClusterRoomEvent[] }
  /** A stream point node `n` asked for: the last sequence `s` and the users `u` at that point. */
  | { k: 'p'; r: string; n: string; t: string; s: number; u: PresenceUser[] }
  /** A Yjs update (`d`) or awareness update (`a`), base64. */
  | { k: 'd' | 'a'; r: string; n: string; u: string }
  /** A request for the whole document. */
  | { k: 'q'; r: string; n: string };

/** Parses a message; Lua's cjson writes an empty list as `{}`, which is turned back into `[]` here. */
export function decodeMessage(raw: string): ClusterMessage {
  const message = JSON.parse(raw) as ClusterMessage;
  if (message.k === 'p') message.u = list(message.u);
  if (message.k === 'e') {
    for (const event of message.e) {
      const payload = event.payload as { users?: unknown };
      if (payload.users !== undefined) payload.users = list(payload.users);
    }
  }
  return message;
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}
