// Unit tests of the resident sandbox's bwrap options.
import { describe, expect, it } from 'vitest';
import { bwrapOptions } from '../bwrap-argv.js';
import { CGROUP_MOUNT, RESIDENT_INIT_MOUNT, SLOT_MOUNT, residentBwrapOptions } from './resident-options.js';

const input = {
  systemArgs: ['--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--ro-bind', '/srv/etc-x', '/etc'],
  slotDir: '/runs/s1',
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

  it('should give runs the system mounts of the per-run sandbox, the slot behind a root-only directory, and PID 1 read-only', () => {
    const runDirs = { boxDir: `${input.slotDir}/box`, tmpDir: `${input.slotDir}/tmp`, shmDir: `${input.slotDir}/shm` };
    const slotBinds = (mount: string[]) => mount[0] === '--bind' && mount[1]!.startsWith(input.slotDir);
    const perRun = mounts(bwrapOptions({ ...input, ...runDirs, seccompFd: 5 })).filter((mount) => !slotBinds(mount));
    const options = residentBwrapOptions(input);
    const resident = mounts(options);
    const init = ['--ro-bind', input.initPath, RESIDENT_INIT_MOUNT];
    const slot = ['--bind', input.slotDir, SLOT_MOUNT];
    expect(resident).toContainEqual(init);
    expect(resident).toContainEqual(slot);
    expect(resident.filter((mount) => mount.join() !== init.join() && mount.join() !== slot.join())).toEqual(perRun);
    // The slot's parent is created root-only before the slot is bound into it.
    expect(options.join(' ')).toContain(`--perms 0700 --dir ${SLOT_MOUNT.split('/').slice(0, -1).join('/')}`);
    // Read-only remounts last, after every mount they must cover.
    expect(resident.slice(-2)).toEqual([['--remount-ro', '/dev'], ['--remount-ro', '/']]);
  });

  it('should bind the cgroup v2 parent of the run groups behind the same root-only directory, and nothing without one', () => {
    const withParent = mounts(residentBwrapOptions({ ...input, cgroupParentDir: '/sys/fs/cgroup/runlane' }));
    expect(withParent).toContainEqual(['--bind', '/sys/fs/cgroup/runlane', CGROUP_MOUNT]);
    expect(CGROUP_MOUNT.split('/').slice(0, -1).join('/')).toBe(SLOT_MOUNT.split('/').slice(0, -1).join('/'));
    expect(withParent.slice(-2)).toEqual([['--remount-ro', '/dev'], ['--remount-ro', '/']]);
    for (const parent of [undefined, null]) {
      expect(mounts(residentBwrapOptions({ ...input, cgroupParentDir: parent })).some((mount) => mount.includes(CGROUP_MOUNT))).toBe(false);
    }
  });

  it('should refuse a status descriptor that is stdio', () => {
    expect(() => residentBwrapOptions({ ...input, statusFd: 2 })).toThrow(/status descriptor/);
  });
});
