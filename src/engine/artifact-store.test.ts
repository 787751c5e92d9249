// The artifact store places entries by atomic rename, removes them on request, and sweeps directories of dead processes.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ArtifactStore } from './artifact-store.js';

const roots: string[] = [];
async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'runlane-artifacts-test-'));
  roots.push(root);
  return root;
}

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('when a store opens', () => {
  it('should remove the directories of processes that no longer run and keep those of live ones', async () => {
    const root = await freshRoot();
    // A pid above the kernel's ceiling (pid_max is at most 4194304) never belongs to a live process.
    await mkdir(join(root, '9999999-dead0000'));
    await mkdir(join(root, `${process.ppid}-alive000`));
    const store = await ArtifactStore.open(root);
    const names = await readdir(root);
    expect(names).not.toContain('9999999-dead0000');
    expect(names).toContain(`${process.ppid}-alive000`);
    expect(names).toContain(basename(store.dir));
  });
});

describe('when an entry is committed', () => {
  it('should appear under its key only once complete, replace a same-key entry, and go on remove()', async () => {
    const store = await ArtifactStore.open(await freshRoot());
    const first = store.pendingPath();
    await mkdir(first);
    await writeFile(join(first, 'main'), 'v1');
    expect(await readdir(store.dir)).toEqual([basename(first)]);
    const entry = await store.commit(first, 'abc');
    expect(await readFile(join(entry, 'main'), 'utf8')).toBe('v1');
    const second = store.pendingPath();
    await mkdir(second);
    await writeFile(join(second, 'main'), 'v2');
    await store.commit(second, 'abc');
    expect(await readdir(store.dir)).toEqual(['abc']);
    expect(await readFile(join(entry, 'main'), 'utf8')).toBe('v2');
    await store.remove(entry);
    expect(await readdir(store.dir)).toEqual([]);
    await store.close();
    expect(await readdir(join(store.dir, '..'))).not.toContain(basename(store.dir));
  });
});
