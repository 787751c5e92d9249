// How many connections the process may hold: each configured cap, bounded by a share of its open-file limit.
import { readFileSync } from 'node:fs';

/** Share of the open-file limit that HTTP connections (REST and Socket.IO together) may use. */
export const HTTP_FD_SHARE = 0.75;

/** Share of the open-file limit that Socket.IO connections may use; the rest stays for REST, runs and the database. */
export const REALTIME_FD_SHARE = 0.5;

/** The soft "Max open files" of a `/proc/<pid>/limits` text, or null when it is absent or unlimited. */
export function parseSoftOpenFilesLimit(limits: string): number | null {
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  if (!match || match[1] === 'unlimited') return null;
  const soft = Number(match[1]);
  return Number.isSafeInteger(soft) && soft > 0 ? soft : null;
}

/**
 * This process's soft open-file limit, or null where it is unlimited or cannot be read (not Linux, no `/proc`); then the
 * configured caps apply as they are, and `onError` hears why.
 */
export function readSoftOpenFilesLimit(onError: (error: unknown) => void, path = '/proc/self/limits'): number | null {
  try {
    return parseSoftOpenFilesLimit(readFileSync(path, 'utf8'));
  } catch (error) {
    onError(error);
    return null;
  }
}

/** The configured cap, lowered to `share` of the open-file limit when that is smaller; at least 1. */
export function connectionCap(configured: number, share: number, softLimit: number | null): number {
  if (softLimit === null) return configured;
  return Math.max(1, Math.min(configured, Math.floor(softLimit * share)));
}
