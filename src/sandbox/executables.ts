// Finds executables on a given PATH, without consulting the server's own environment unless asked to.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Resolves a program name on `searchPath` (or checks an explicit path) to an absolute executable path; null when absent. */
export async function resolveExecutable(nameOrPath: string, searchPath: string): Promise<string | null> {
  const candidates = nameOrPath.includes('/') ? [nameOrPath] : searchPath.split(delimiter).filter(Boolean).map((dir) => join(dir, nameOrPath));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return null;
}
