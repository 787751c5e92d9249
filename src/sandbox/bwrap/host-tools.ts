// Finds the host programs the sandbox drives (bwrap, setpriv, mount, umount, sh) and bwrap's version.
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PATH used to find host tools and given to every helper process; never the server's own environment. */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Resolves a program name (or checks an explicit path) to an absolute executable path; null when absent. */
export async function resolveExecutable(nameOrPath: string, searchPath: string = `${HOST_PATH}${delimiter}${process.env.PATH ?? ''}`): Promise<string | null> {
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

/** `bwrap --version` → `0.8.0`. */
export async function readBwrapVersion(bwrapPath: string): Promise<string> {
  const { stdout } = await run(bwrapPath, ['--version'], { env: { PATH: HOST_PATH }, timeout: 10_000 });
  return stdout.trim().replace(/^bubblewrap\s+/, '');
}
