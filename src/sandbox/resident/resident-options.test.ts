// Unit tests of the resident sandbox's bwrap options.
import { describe, expect, it } from 'vitest';
import { bwrapOptions } from '../bwrap/bwrap-argv.js';
import { RESIDENT_INIT_MOUNT, residentBwrapOptions } from './resident-options.js';

const input = {
  systemArgs: ['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--ro-bind', '/srv/etc-x', '/etc'],
  boxDir: '/runs/s1/box',
  tmpDir: '/runs/s1/tmp',
  shmDir: '/runs/s1/shm',
  initPath: '/opt/runlane/native/build/runlane-resident-init',
  statusFd: 4,
};

/** Pairs of `--bind`/`--ro-bind`/`--symlink`/`--proc`/`--dev` with their operands, in order. */
function mounts(options: readonly string[]): string[][] {
  const found: string[][] = [];
  const operands: Record<string, number> = { '--bind': 2, '--ro-bind': 2, '--symlink': 2, '--proc': 1, '--dev': 1, '--remount-ro': 1 };
  for (let i = 0; i < options.length; i++) {
    const count = operands[options[i]!];
    if (count !== undefined) found.push(options.slice(i, i + 1 + count));
  }
  return found;
}

describe('residentBwrapOptions', () => {
  it('should build the namespaces without a user namespace and keep PID 1 privileged', () => {
    const options = residentBwrapOptions(input);
    for (const flag of ['--unshare-pid', '--unshare-net', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--as-pid-1', '--die-with-parent', '--clearenv']) {
      expect(options).toContain(flag);
    }
    expect(options).not.toContain('--unshare-user');
    expect(options).not.toContain('--unshare-all');
    expect(options.join(' ')).toContain('--cap-add ALL');
    expect(options.join(' ')).toContain('--hostname runlane');
    expect(options.slice(-2)).toEqual(['--json-status-fd', '4']);
  });

  it('should give runs the same mounts as the per-run sandbox, plus PID 1 read-only', () => {
    const perRun = mounts(bwrapOptions({ ...input, seccompFd: 5 }));
    const resident = mounts(residentBwrapOptions(input));
    const init = ['--ro-bind', input.initPath, RESIDENT_INIT_MOUNT];
    expect(resident).toContainEqual(init);
    expect(resident.filter((mount) => mount.join() !== init.join())).toEqual(perRun);
    // Read-only remounts last, after every mount they must cover.
    expect(resident.slice(-2)).toEqual([['--remount-ro', '/dev'], ['--remount-ro', '/']]);
  });

  it('should refuse a status descriptor that is stdio', () => {
    expect(() => residentBwrapOptions({ ...input, statusFd: 2 })).toThrow(/status descriptor/);
  });
});
