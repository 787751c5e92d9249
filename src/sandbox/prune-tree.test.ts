// Pruning leaves only regular files and their folders, removing links (never their targets), FIFOs and empty folders.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneToRegularFiles } from './prune-tree.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('when a tree holds links, a FIFO and empty folders', () => {
  it('should keep the regular files and their folders only, and leave link targets alone', async () => {
    dir = await mkdtemp(join(tmpdir(), 'runlane-prune-test-'));
    const box = join(dir, 'box');
    const outside = join(dir, 'outside');
    await mkdir(join(box, 'bin'), { recursive: true });
    await mkdir(join(box, 'empty/deeper'), { recursive: true });
    await mkdir(join(box, 'links'));
    await mkdir(outside);
    await writeFile(join(outside, 'target'), 'keep me');
    await writeFile(join(box, 'bin/tool'), 'x');
    await writeFile(join(box, 'main'), 'y');
    await symlink(outside, join(box, 'dir-link'));
    await symlink(join(outside, 'target'), join(box, 'links/file-link'));
    execFileSync('mkfifo', [join(box, 'fifo')]);
    expect(await pruneToRegularFiles(box)).toBe(2);
    expect((await readdir(box)).sort()).toEqual(['bin', 'main']);
    expect(await readdir(join(box, 'bin'))).toEqual(['tool']);
    expect(await readFile(join(outside, 'target'), 'utf8')).toBe('keep me');
  });
});
