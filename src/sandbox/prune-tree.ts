// Leaves only regular files (and the folders holding them) in a tree no process can change any more.
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Removes links, FIFOs, sockets and device nodes under `root`, then folders left without a regular file; returns how
 * many regular files remain. lstat never follows a link and fs.rm removes a link, never its target.
 */
export async function pruneToRegularFiles(root: string): Promise<number> {
  let files = 0;
  for (const name of await readdir(root)) {
    const path = join(root, name);
    const info = await lstat(path);
    if (info.isFile()) {
      files++;
    } else if (info.isDirectory()) {
      const inside = await pruneToRegularFiles(path);
      if (inside === 0) await rmdir(path);
      files += inside;
    } else {
      await rm(path, { force: true });
    }
  }
  return files;
}
