// Reads a finished run's work dir back without ever following a link the program planted (the Judge0 2024 escape class).
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openCheckedFile } from './open-checked-file.js';
import type { SandboxFile } from './sandbox.js';

/** Bounds on what is read back, so a hostile run cannot make the server read unbounded data. */
export interface CollectLimits {
  /** Total bytes of all collected files; files that would exceed it are skipped. */
  maxBytes: number;
  /** Most files collected. */
  maxFiles: number;
}

/**
 * Walks `root` and returns its regular files with paths relative to it.
 * Every entry is checked with lstat (a symlink is never traversed, a directory symlink never entered), and each file is
 * opened with O_NOFOLLOW | O_NONBLOCK and re-checked with fstat, so neither a symlink swapped in nor a FIFO can redirect or hang the read.
 */
export async function collectFiles(root: string, limits: CollectLimits): Promise<SandboxFile[]> {
  const files: SandboxFile[] = [];
  let budget = limits.maxBytes;
  const pending: string[] = [''];
  while (pending.length > 0 && files.length < limits.maxFiles) {
    const relativeDir = pending.shift()!;
    const entries = await readdir(join(root, relativeDir), { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (files.length >= limits.maxFiles) break;
      const relativePath = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const absolute = join(root, relativePath);
      const info = await lstat(absolute);
      if (info.isDirectory()) {
        pending.push(relativePath);
        continue;
      }
      if (!info.isFile() || info.size > budget) continue;
      const file = await readRegularFile(absolute, info.ino, budget);
      if (!file) continue;
      budget -= file.content.length;
      files.push({ path: relativePath, content: file.content, mode: file.mode });
    }
  }
  return files;
}

async function readRegularFile(path: string, expectedInode: number, budget: number): Promise<{ content: Buffer; mode: number } | null> {
  const opened = await openCheckedFile(path, expectedInode);
  if (!opened) return null;
  const { handle, info } = opened;
  try {
    if (info.size > budget) return null;
    const content = Buffer.alloc(info.size);
    let offset = 0;
    while (offset < content.length) {
      const { bytesRead } = await handle.read(content, offset, content.length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return { content: content.subarray(0, offset), mode: info.mode & 0o777 };
  } finally {
    await handle.close();
  }
}
