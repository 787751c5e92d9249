// Reading a work dir back: regular files only, never through a link, within bounds.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectFiles } from './collect-files.js';

describe('collectFiles', () => {
  let root: string;
  let outside: string;

  beforeEach(async () => {
    outside = await mkdtemp(join(tmpdir(), 'runlane-collect-outside-'));
    root = await mkdtemp(join(tmpdir(), 'runlane-collect-'));
    await writeFile(join(outside, 'secret.txt'), 'host secret');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  describe('when the work dir holds files, links and special files', () => {
    it('should return only regular files, with relative paths and modes, never following a link', async () => {
      await writeFile(join(root, 'main.c'), 'int main;', { mode: 0o644 });
      await mkdir(join(root, 'out'));
      await writeFile(join(root, 'out', 'a.out'), 'ELF', { mode: 0o755 });
      await symlink(join(outside, 'secret.txt'), join(root, 'leak'));
      await symlink(outside, join(root, 'leakdir'));
      await symlink(fileURLToPath(import.meta.url), join(root, 'source'));
      execFileSync('mkfifo', [join(root, 'fifo')]);
      const files = await collectFiles(root, { maxBytes: 1 << 20, maxFiles: 100 });
      expect(files.map((file) => [file.path, file.content.toString(), file.mode])).toEqual([
        ['main.c', 'int main;', 0o644],
        ['out/a.out', 'ELF', 0o755],
      ]);
    });
  });

  describe('when the files exceed the byte or count budget', () => {
    it('should skip what does not fit', async () => {
      await writeFile(join(root, 'a'), 'x'.repeat(60));
      await writeFile(join(root, 'b'), 'y'.repeat(60));
      await writeFile(join(root, 'c'), 'z'.repeat(10));
      expect((await collectFiles(root, { maxBytes: 100, maxFiles: 100 })).map((file) => file.path)).toEqual(['a', 'c']);
      expect((await collectFiles(root, { maxBytes: 1000, maxFiles: 2 })).map((file) => file.path)).toEqual(['a', 'b']);
    });
  });
});
