// Copies files between a work dir and a host directory the server owns, kernel to kernel, never following a planted link.
import { constants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openCheckedFile } from './open-checked-file.js';
import type { ExportOptions } from './sandbox.js';

/** Permission bits kept on copied files: no setuid, setgid or sticky bit crosses from a run to the host or back. */
const MODE_BITS = 0o777;

/**
 * Copies the regular files under `root` into `targetDir` (created with mode 0700; it must not exist) and returns their
 * relative paths. Every entry is checked with lstat (no symlink traversed, no directory symlink entered), each file is
 * opened with O_NOFOLLOW | O_NONBLOCK and re-checked with fstat, and the copy reads that very descriptor, so neither a
 * symlink swapped in nor a FIFO can redirect or hang it. Files still equal to one of `unchanged` are left out.
 * All or nothing: rejects (`ExportTooLargeError`) when the files exceed `maxBytes` or `maxFiles`.
 */
export async function exportTree(root: string, targetDir: string, options: ExportOptions): Promise<string[]> {
  await mkdir(targetDir, { mode: 0o700 });
  const unchanged = new Map((options.unchanged ?? []).map((file) => [file.path, file.content]));
  const copied: string[] = [];
  let budget = options.maxBytes;
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relativeDir = pending.shift()!;
    const entries = await readdir(join(root, relativeDir), { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const relativePath = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const info = await lstat(join(root, relativePath));
      if (info.isDirectory()) {
        pending.push(relativePath);
        continue;
      }
      if (!info.isFile()) continue;
      if (info.size > budget) throw new ExportTooLargeError(`the files take more than ${options.maxBytes} bytes`);
      const size = await copyOne(join(root, relativePath), info.ino, join(targetDir, relativePath), unchanged.get(relativePath));
      if (size === null) continue;
      budget -= size;
      copied.push(relativePath);
      if (copied.length > options.maxFiles) throw new ExportTooLargeError(`there are more than ${options.maxFiles} files`);
    }
  }
  return copied;
}

/** The files to export exceed the bounds given: nothing usable was exported. */
export class ExportTooLargeError extends Error {
  override readonly name = 'ExportTooLargeError';
}

/** Copies one checked file; null when it is not safe to read (a link, a FIFO, gone) or unchanged. */
async function copyOne(source: string, expectedInode: number, target: string, input: Buffer | undefined): Promise<number | null> {
  const opened = await openCheckedFile(source, expectedInode);
  if (!opened) return null;
  const { handle, info } = opened;
  try {
    if (input !== undefined && input.length === info.size && input.equals(await handle.readFile())) return null;
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    // /proc/self/fd/N names the descriptor already checked, not the path, so the copy cannot be redirected.
    await copyFile(`/proc/self/fd/${handle.fd}`, target, constants.COPYFILE_EXCL);
    await chmod(target, info.mode & MODE_BITS);
    return info.size;
  } finally {
    await handle.close();
  }
}

/** Mode bits of a file in a host directory the server owns (what `WorkDir.importFiles` gives its copy). */
export async function fileMode(path: string): Promise<number> {
  return (await lstat(path)).mode & MODE_BITS;
}

