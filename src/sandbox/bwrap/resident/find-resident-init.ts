// Locates the resident sandbox's PID 1 binary (native/resident-init.c, built by scripts/setup.sh).
import { access, constants, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where scripts/setup.sh builds it; the same relative path from src/ and from the built dist/. */
export const DEFAULT_RESIDENT_INIT = fileURLToPath(new URL('../../../../native/build/runlane-resident-init', import.meta.url));

/** The binary's absolute path when it is built and executable, else null (resident sandboxes are then unavailable). */
export async function findResidentInit(path: string = DEFAULT_RESIDENT_INIT): Promise<string | null> {
  const absolute = resolve(path);
  try {
    await access(absolute, constants.X_OK);
    return (await stat(absolute)).isFile() ? absolute : null;
  } catch {
    return null;
  }
}
