// The native launcher (native/launcher.c) as built by scripts/setup.sh: its contract, its refusals, and that it leaves nothing running.
import { execFile, spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { access, mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LAUNCHER, LAUNCHER_EXIT, launcherArgs } from '../../src/sandbox/bwrap/launcher.js';
import { GO_FD, SECCOMP_FD, STATUS_FD, goMessage } from '../../src/sandbox/bwrap/prologue.js';
import type { ResourceLimits } from '../../src/domain/limits.js';

const run = promisify(execFile);
const limits: ResourceLimits = { cpuTimeMs: 2_500, wallTimeMs: 10_000, memoryMb: 256, processes: 64, outputBytes: 1_000, fileSizeBytes: 1_000_000, workDirMb: 64, openFiles: 128, stackMb: 8 };
/** Turns the launcher's `COMMAND -- argv…` back into `argv…`, so a test can exec any program after it. */
const UNWRAP = ['/bin/sh', '-c', 'shift; exec "$@"', 'unwrap'];
const PRIVILEGE_FIELDS = /^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):.*$/gm;

let dir: string;
let argvFile: string;
let seccompFilter: string;
/** A uid nothing else on the host uses, so "no process of it is left" means the launcher left none. */
const uid = 3_900_000 + randomInt(0, 90_000);

beforeAll(async () => {
  // Built by scripts/setup.sh; a missing launcher is a failure here, never a skip.
  await access(DEFAULT_LAUNCHER);
  dir = await mkdtemp(join(tmpdir(), 'runlane-launcher-'));
  argvFile = join(dir, 'argv');
  seccompFilter = join(dir, 'filter.bpf');
  await writeFile(seccompFilter, 'FILTER');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
// The launcher forks nothing: once it (or what it became) has exited, no process of its uid may be left.
afterEach(async () => {
  expect(await processesOfUid()).toBe('');
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  status: string;
}

/** Starts the launcher with stdio and the go/status descriptors as the sandbox does, sends `message`, waits for the end. */
async function launch(args: string[], message: Buffer | null, extraFds = 0): Promise<Outcome> {
  const extra = Array.from({ length: extraFds }, () => 'pipe' as const);
  const child = spawn(DEFAULT_LAUNCHER, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', ...extra], env: { PATH: '/usr/bin:/bin' }, cwd: '/' });
  const outcome: Outcome = { code: null, stdout: '', stderr: '', status: '' };
  child.stdout!.on('data', (chunk) => (outcome.stdout += chunk));
  child.stderr!.on('data', (chunk) => (outcome.stderr += chunk));
  child.stdio[STATUS_FD]!.on('data', (chunk) => (outcome.status += chunk));
  for (const stream of [child.stdin!, child.stdio[GO_FD]!]) stream.on('error', () => undefined);
  child.stdin!.end();
  if (message) (child.stdio[GO_FD] as NodeJS.WritableStream).end(message);
  else (child.stdio[GO_FD] as NodeJS.WritableStream).end();
  outcome.code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return outcome;
}

async function writeArgv(argv: readonly string[]): Promise<void> {
  await writeFile(argvFile, argv.map((arg) => `${arg}\0`).join(''));
}

function argsFor(command: string[], procsFiles: string[] = []): string[] {
  return launcherArgs({ hostUid: uid, procsFiles, files: { argvFile, seccompFilter }, command });
}

function message(argc: number, bwrapOptions: string[] = []): Buffer {
  return goMessage({ limits, fallbackRlimits: true, argc, bwrapOptions });
}

/** Processes of the test uid still alive (pgrep exits 1 when there are none). */
async function processesOfUid(): Promise<string> {
  const result = await run('pgrep', ['-u', String(uid)]).catch((error: { code?: number; stdout?: string }) => (error.code === 1 ? { stdout: '' } : Promise.reject(error)));
  return result.stdout.trim();
}

describe('runlane-launcher', () => {
  describe('when it is handed a run', () => {
    it('should report ready, then exec the command with every argument intact, the rlimits set and the go stream left for it', async () => {
      const argv = ['/bin/sh', '-c', 'printf "[%s]\\n" "$@"; grep -E "^Max (cpu|file size|processes|open|stack|address|core)" /proc/self/limits; cat <&3', 'printer', 'multi\nline', '', ' $(id) ', '--'];
      await writeArgv(argv);
      const result = await launch(argsFor(UNWRAP), message(argv.length, ['--opt', 'value']));
      expect(result).toMatchObject({ code: 0, status: 'ready\n', stderr: '' });
      const lines = result.stdout.split('\n');
      expect(lines.slice(0, 5)).toEqual(['[multi', 'line]', '[]', '[ $(id) ]', '[--]']);
      const limit = (name: string) => lines.find((line) => line.startsWith(name))!.slice(26).trim().split(/\s+/).slice(0, 2);
      expect(limit('Max cpu time')).toEqual(['3', '3']);
      expect(limit('Max file size')).toEqual([String(977 * 1024), String(977 * 1024)]);
      expect(limit('Max processes')).toEqual(['66', '66']);
      expect(limit('Max open files')).toEqual(['128', '128']);
      expect(limit('Max stack size')).toEqual([String(8192 * 1024), String(8192 * 1024)]);
      expect(limit('Max address space')).toEqual([String(256 * 1024 * 1024), String(256 * 1024 * 1024)]);
      expect(limit('Max core file size')).toEqual(['0', '0']);
      // What follows the go line is bwrap's: left unread on descriptor 3.
      expect(result.stdout.endsWith('--opt\0value\0')).toBe(true);
    });

    it('should drop to the pool uid exactly as setpriv does', async () => {
      await writeArgv(['/bin/cat', '/proc/self/status']);
      const result = await launch(argsFor(UNWRAP), message(2));
      expect(result.code).toBe(0);
      const viaSetpriv = await run('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--', '/bin/cat', '/proc/self/status']);
      const fields = (text: string) => text.match(PRIVILEGE_FIELDS)!.join('\n');
      expect(fields(result.stdout)).toBe(fields(viaSetpriv.stdout));
      expect(fields(result.stdout)).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
      expect(fields(result.stdout)).toMatch(/^CapBnd:\s+0+$/m);
      expect(fields(result.stdout)).toMatch(/^NoNewPrivs:\s+1$/m);
    });

    it('should hand over only stdio, the go and status descriptors and the seccomp filter on its descriptor', async () => {
      await writeArgv(['/bin/sh', '-c', `ls /proc/self/fd; cat <&${SECCOMP_FD}`]);
      const result = await launch(argsFor(UNWRAP), message(3), 3);
      expect(result.code).toBe(0);
      // 0-5 are the launcher's; the last number is ls's own directory descriptor.
      const [listing, filter] = [result.stdout.slice(0, result.stdout.lastIndexOf('\n') + 1), result.stdout.slice(result.stdout.lastIndexOf('\n') + 1)];
      expect(listing.trim().split('\n').map(Number).slice(0, -1)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(filter).toBe('FILTER');
    });

    it('should join the cgroup it is given before it reports ready', async () => {
      // The v1 pids hierarchy where there is one, else a leaf of the v2 hierarchy.
      const v1 = await access('/sys/fs/cgroup/pids').then(() => true, () => false);
      const name = `runlane-launcher-test-${randomUUID()}`;
      const group = join(v1 ? '/sys/fs/cgroup/pids' : '/sys/fs/cgroup', name);
      await mkdir(group);
      try {
        await writeArgv(['/bin/cat', '/proc/self/cgroup']);
        const result = await launch(argsFor(UNWRAP, [join(group, 'cgroup.procs')]), message(2));
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`^[0-9]+:${v1 ? 'pids' : ''}:/${name}$`, 'm'));
      } finally {
        await rmdir(group);
      }
    });
  });

  describe('when the go descriptor closes without a run', () => {
    it('should exit 0 without running anything', async () => {
      const result = await launch(argsFor(['/bin/echo', 'ran']), null);
      expect(result).toMatchObject({ code: 0, status: 'ready\n', stdout: '' });
    });
  });

  describe('when its arguments are wrong', () => {
    it.each([
      ['no arguments', []],
      ['uid 0', ['0', '0', 'a', 'b', '/bin/echo']],
      ['a uid that is not a number', ['1e3', '0', 'a', 'b', '/bin/echo']],
      ['more cgroups than arguments', ['4000', '3', 'a', 'b', '/bin/echo']],
      ['no command', ['4000', '0', 'a', 'b']],
    ])('should refuse %s before doing anything', async (_name, args) => {
      const result = await launch(args, message(1));
      expect(result.code).toBe(LAUNCHER_EXIT.usage);
      expect(result).toMatchObject({ status: '', stdout: '' });
      expect(result.stderr).toMatch(/runlane-launcher: /);
    });
  });

  describe('when a cgroup cannot be joined', () => {
    it('should exit 121 without reporting ready', async () => {
      const result = await launch(argsFor(['/bin/echo', 'ran'], [join(dir, 'no-such-group', 'cgroup.procs')]), message(1));
      expect(result).toMatchObject({ code: LAUNCHER_EXIT.cgroup, status: '', stdout: '' });
    });
  });

  describe('when the go line or the argv file is malformed', () => {
    it.each([
      ['a field that is not a number', Buffer.from('4 977 128 8192 - - $(id)\n')],
      ['a negative limit', Buffer.from('-1 977 128 8192 - - 1\n')],
      ['a missing field', Buffer.from('4 977 128 8192 - 1\n')],
      ['another argument count than the file holds', null],
    ])('should refuse %s (exit 123) and run nothing', async (_name, line) => {
      await writeArgv(['/bin/echo', 'ran']);
      const result = await launch(argsFor(UNWRAP), line ?? message(3));
      expect(result).toMatchObject({ code: LAUNCHER_EXIT.badRun, stdout: '' });
    });
  });

  describe('when a limit would overflow once scaled to bytes', () => {
    it('should refuse it (exit 122) and run nothing', async () => {
      await writeArgv(['/bin/echo', 'ran']);
      const result = await launch(argsFor(UNWRAP), Buffer.from('4 999999999999999999 128 8192 - - 2\n'));
      expect(result).toMatchObject({ code: LAUNCHER_EXIT.rlimit, stdout: '' });
    });
  });

  describe('when the command cannot be executed', () => {
    it('should say so and exit 127', async () => {
      await writeArgv(['x']);
      const result = await launch(argsFor([join(dir, 'no-such-program')]), message(1));
      expect(result.code).toBe(LAUNCHER_EXIT.exec);
      expect(result.stderr).toMatch(/runlane-launcher: cannot execute/);
    });
  });

  describe('when the seccomp filter cannot be opened', () => {
    it('should exit 124 and run nothing', async () => {
      await writeArgv(['/bin/echo', 'ran']);
      const args = launcherArgs({ hostUid: uid, procsFiles: [], files: { argvFile, seccompFilter: join(dir, 'missing.bpf') }, command: UNWRAP });
      const result = await launch(args, message(2));
      expect(result).toMatchObject({ code: LAUNCHER_EXIT.seccomp, stdout: '' });
    });
  });

  describe('when what it started is killed mid-run', () => {
    it('should leave no process of the pool uid behind', async () => {
      await writeArgv(['/bin/sleep', '30']);
      const child = spawn(DEFAULT_LAUNCHER, argsFor(UNWRAP), { stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
      for (const stream of child.stdio) stream?.on('error', () => undefined);
      (child.stdio[GO_FD] as NodeJS.WritableStream).end(message(2));
      await new Promise((resolve) => child.stdio[STATUS_FD]!.once('data', resolve));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      expect(await processesOfUid()).toBe('');
    });
  });
});
