// Locates the resident sandbox's PID 1 binary (native/resident-init.c, built by scripts/setup.sh).
import { fileURLToPath } from 'node:url';
import { findBuiltExecutable } from '../host-tools.js';

/** Where scripts/setup.sh builds it; the same relative path from src/ and from the built dist/. */
export const DEFAULT_RESIDENT_INIT = fileURLToPath(new URL('../../../../native/build/runlane-resident-init', import.meta.url));

/** The binary's absolute path when it is built and executable, else null (resident sandboxes are then unavailable). */
export function findResidentInit(path: string = DEFAULT_RESIDENT_INIT): Promise<string | null> {
  return findBuiltExecutable(path);
}
