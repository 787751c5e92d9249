// bwrap's options for a resident sandbox: the namespaces and mounts built once per slot, with PID 1 at /.runlane-init (pure).

/** Where the resident's PID 1 binary is bound inside the sandbox (read-only, outside every writable dir). */
export const RESIDENT_INIT_MOUNT = '/.runlane-init';

/** Where the slot's work dir tmpfs is bound (native/resident-init.c binds its run dirs from here for each run). */
export const SLOT_MOUNT = '/.runlane/slot';

/** Where the server's cgroup v2 parent group is bound, so PID 1 can create each run's child inside its group. */
export const CGROUP_MOUNT = '/.runlane/cgroup';

export interface ResidentOptionsInput {
  /** From the host layout (system binds), computed once. */
  systemArgs: readonly string[];
  /** Root of the slot's work dir tmpfs (holding box, tmp and shm), bound at SLOT_MOUNT for PID 1. */
  slotDir: string;
  /** Host path of the PID 1 binary (native/build/runlane-resident-init). */
  initPath: string;
  /** Descriptor bwrap reports PID 1's host pid on. */
  statusFd: number;
  /** The directory run groups are created in, on cgroup v2 (bound at CGROUP_MOUNT for CLONE_INTO_CGROUP); null elsewhere. */
  cgroupParentDir?: string | null;
}

/**
 * Everything between `bwrap` and `--`. Run by root without a user namespace at this level (bwrap's privileged mode), so
 * PID 1 keeps host root and its capabilities inside these namespaces; each run's child builds its own user and IPC
 * namespace under the slot's uid. The mount layout is the one of the per-run sandbox (src/sandbox/bwrap/bwrap-argv.ts),
 * so a program sees the same file system; the working directory and environment are set per run by PID 1.
 */
export function residentBwrapOptions(input: ResidentOptionsInput): string[] {
  if (!Number.isInteger(input.statusFd) || input.statusFd < 3) throw new Error(`invalid status descriptor ${input.statusFd}`);
  return [
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--as-pid-1',
    // PID 1 needs its capabilities to fork runs that change uid and build user namespaces; runs drop all of them.
    '--cap-add', 'ALL',
    '--hostname', 'runlane',
    ...input.systemArgs,
    '--proc', '/proc',
    '--dev', '/dev',
    // The slot's tmpfs sits behind a root-only directory; each run's child binds its box, tmp and shm (as they are after
    // the server's reset, which recreates them) over /box, /tmp and /dev/shm in a mount namespace of the run's own.
    // /dev/shm is no tmpfs of its own: a second cap as large as the work dir would double what a run may write.
    '--perms', '0700', '--dir', SLOT_MOUNT.slice(0, SLOT_MOUNT.lastIndexOf('/')),
    '--bind', input.slotDir, SLOT_MOUNT,
    // On cgroup v2 the run groups' parent, behind the same root-only directory: PID 1 creates each run's child inside
    // its group (CLONE_INTO_CGROUP), so it never runs elsewhere and no cgroup.procs write is needed.
    ...(input.cgroupParentDir ? ['--bind', input.cgroupParentDir, CGROUP_MOUNT] : []),
    '--dir', '/box',
    '--dir', '/tmp',
    '--ro-bind', input.initPath, RESIDENT_INIT_MOUNT,
    // The root and /dev are bwrap's own tmpfs mounts, writable by root inside unless made read-only last.
    '--remount-ro', '/dev',
    '--remount-ro', '/',
    '--chdir', '/',
    '--clearenv',
    '--json-status-fd', String(input.statusFd),
  ];
}
