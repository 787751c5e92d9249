// Turns one run's spec into the setpriv + bwrap command line (pure: no I/O, unit-tested).
import { SANDBOX_PATH } from '../sandbox.js';
import { SANDBOX_UID } from './host-layout.js';


/** Names the sandbox sets itself; spec.env may override all but PATH-independent safety ones below. */
const BASE_ENV: Record<string, string> = {
  PATH: SANDBOX_PATH,
  HOME: '/box',
  LANG: 'C.UTF-8',
  TMPDIR: '/tmp',
  USER: 'runner',
  LOGNAME: 'runner',
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface CommandPrefixInput {
  setprivPath: string;
  bwrapPath: string;
  /** The run's host uid (and gid), never 0. */
  hostUid: number;
  /** Descriptor bwrap reads its options from (`--args`). */
  optionsFd: number;
}

/**
 * `setpriv … -- bwrap --args FD`: drop to the pool uid with no groups, no inheritable or bounding capabilities and
 * no_new_privs before bwrap runs, so even bwrap's own process is unprivileged on the host.
 */
export function commandPrefix(input: CommandPrefixInput): string[] {
  if (!Number.isInteger(input.hostUid) || input.hostUid <= 0) throw new Error(`refusing to run as host uid ${input.hostUid}`);
  const uid = String(input.hostUid);
  return [
    input.setprivPath,
    `--reuid=${uid}`,
    `--regid=${uid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
    input.bwrapPath,
    '--args',
    String(input.optionsFd),
  ];
}

export interface BwrapOptionsInput {
  /** From the host layout (system binds), computed once. */
  systemArgs: readonly string[];
  /** Host directories of the slot's tmpfs bound at /box, /tmp and /dev/shm (one size cap for all three). */
  boxDir: string;
  tmpDir: string;
  shmDir: string;
  env?: Record<string, string>;
  /** Descriptor bwrap reports the child's pid and exit status on. */
  statusFd: number;
  /** Descriptor bwrap reads the seccomp filter (classic BPF) from; it applies it to init and the program. */
  seccompFd: number;
}

/** Checks variable names and values the caller adds; they reach bwrap as separate items, never through a shell. */
export function sandboxEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = { ...BASE_ENV };
  for (const [name, value] of Object.entries(extra)) {
    if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name: ${JSON.stringify(name)}`);
    if (value.includes('\0')) throw new Error(`environment variable ${name} contains a NUL byte`);
    env[name] = value;
  }
  return env;
}

/** bwrap's options for one run (everything between `bwrap` and `--`). */
export function bwrapOptions(input: BwrapOptionsInput): string[] {
  const options = [
    // --unshare-all covers user, ipc, pid, net, uts and (when possible) cgroup; --disable-userns needs --unshare-user spelled out.
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop', 'ALL',
    '--hostname', 'runlane',
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_UID),
    ...input.systemArgs,
    '--proc', '/proc',
    '--dev', '/dev',
    // Not a tmpfs of its own: a second cap as large as the work dir would double what a run may write.
    '--bind', input.shmDir, '/dev/shm',
    '--bind', input.boxDir, '/box',
    '--bind', input.tmpDir, '/tmp',
    // The root and /dev are bwrap's own tmpfs mounts, writable by the program unless made read-only last.
    '--remount-ro', '/dev',
    '--remount-ro', '/',
    '--chdir', '/box',
    '--seccomp', String(input.seccompFd),
    '--clearenv',
  ];
  for (const [name, value] of Object.entries(sandboxEnv(input.env))) options.push('--setenv', name, value);
  options.push('--json-status-fd', String(input.statusFd));
  return options;
}
