// The compile cache's disk: one directory per compile holding exactly the files it produced, placed by atomic rename.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Prefix of directories being filled; renamed to their key once complete, so a half-written entry never has a key's name. */
const PENDING_PREFIX = 'pending-';

/**
 * A directory of this process under `root` (`<pid>-<random>`, mode 0700: only the server reads it), one entry per compile
 * key. Directories of processes that no longer run are removed when a store opens, so a crash leaves nothing for long.
 * The byte bound and recency live in the compile cache's index; the store only places and removes directories.
 */
export class ArtifactStore {
  private constructor(readonly dir: string) {}

  /** Creates this process's store directory under `root`, sweeping those of dead processes. */
  static async open(root: string): Promise<ArtifactStore> {
    await mkdir(root, { recursive: true, mode: 0o700 });
    for (const name of await readdir(root)) {
      const pid = Number(name.split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) await rm(join(root, name), { recursive: true, force: true });
    }
    const dir = join(root, `${process.pid}-${randomUUID().slice(0, 8)}`);
    await mkdir(dir, { mode: 0o700 });
    return new ArtifactStore(dir);
  }

  /** A fresh directory path to fill (it does not exist yet); `commit` gives it its key's name. */
  pendingPath(): string {
    return join(this.dir, `${PENDING_PREFIX}${randomUUID()}`);
  }

  /** Moves a filled directory into place under its key and returns the entry's path (a same-key entry is replaced). */
  async commit(pending: string, key: string): Promise<string> {
    const target = join(this.dir, key);
    await rm(target, { recursive: true, force: true });
    await rename(pending, target);
    return target;
  }

  /** Removes an entry or a pending directory; a workspace copying from it then fails and compiles afresh. */
  async remove(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }

  /** Removes the whole store (at shutdown). */
  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
