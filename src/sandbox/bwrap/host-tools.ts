// Finds the host programs the sandbox drives (bwrap, setpriv, mount, umount, sh) and bwrap's version.
import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, resolve } from 'node:path';
import { promisify } from 'node:util';
import { resolveExecutable } from '../executables.js';

const run = promisify(execFile);

/** PATH used to find host tools and given to every helper process; never the server's own environment. */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Resolves a host program (or checks an explicit path); by default also searches the server's PATH, where bwrap may live. */
export function resolveHostExecutable(nameOrPath: string, searchPath: string = `${HOST_PATH}${delimiter}${process.env.PATH ?? ''}`): Promise<string | null> {
  return resolveExecutable(nameOrPath, searchPath);
}

/** `bwrap --version` → `0.8.0`. */
export async function readBwrapVersion(bwrapPath: string): Promise<string> {
  const { stdout } = await run(bwrapPath, ['--version'], { env: { PATH: HOST_PATH }, timeout: 10_000 });
  return stdout.trim().replace(/^bubblewrap\s+/, '');
}

/** An absolute path when `path` is a built, executable regular file, else null (for the native helpers setup.sh builds). */
export async function findBuiltExecutable(path: string): Promise<string | null> {
  const absolute = resolve(path);
  try {
    await access(absolute, constants.X_OK);
    return (await stat(absolute)).isFile() ? absolute : null;
  } catch {
    return null;
  }
}
