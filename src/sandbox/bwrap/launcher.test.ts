// The launcher's command line and how the sandbox finds it (the binary itself: test/integration/sandbox-launcher.test.ts).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLauncher, launcherArgs } from './launcher.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runlane-launcher-unit-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const files = { argvFile: '/runs/slot/argv', seccompFilter: '/native/seccomp.bpf' };

describe('launcherArgs', () => {
  describe('when given a pool uid, cgroups and the bwrap command', () => {
    it('should lay them out as UID N PROCS… ARGV_FILE SECCOMP_FILE COMMAND…', () => {
      const args = launcherArgs({ hostUid: 61_000, procsFiles: ['/cg/a/cgroup.procs', '/cg/b/cgroup.procs'], files, command: ['/usr/bin/bwrap', '--args', '3'] });
      expect(args).toEqual(['61000', '2', '/cg/a/cgroup.procs', '/cg/b/cgroup.procs', '/runs/slot/argv', '/native/seccomp.bpf', '/usr/bin/bwrap', '--args', '3']);
    });
  });

  describe('when the uid is 0, negative or not an integer', () => {
    it('should refuse to build a command line that would run as root', () => {
      for (const hostUid of [0, -1, 1.5, Number.NaN]) {
        expect(() => launcherArgs({ hostUid, procsFiles: [], files, command: ['/usr/bin/bwrap'] })).toThrow(/host uid/);
      }
    });
  });
});

describe('findLauncher', () => {
  describe('when the file is missing, not executable or a directory', () => {
    it('should return null so runs start through the bash prologue', async () => {
      expect(await findLauncher(join(dir, 'missing'))).toBeNull();
      await writeFile(join(dir, 'plain'), '');
      await chmod(join(dir, 'plain'), 0o644);
      // root may execute only files with at least one execute bit.
      expect(await findLauncher(join(dir, 'plain'))).toBeNull();
      expect(await findLauncher(dir)).toBeNull();
    });
  });

  describe('when it is an executable file', () => {
    it('should return its absolute path', async () => {
      await writeFile(join(dir, 'launcher'), '#!/bin/sh\n');
      await chmod(join(dir, 'launcher'), 0o755);
      expect(await findLauncher(join(dir, 'launcher'))).toBe(join(dir, 'launcher'));
    });
  });
});
