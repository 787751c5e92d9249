// The prologue's go message, and the real bash script decoding it (no root needed: no cgroups, a harmless command).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GO_FD, PROLOGUE_SCRIPT, SECCOMP_FD, STATUS_FD, goMessage, prologueArgs } from './prologue.js';
import type { ResourceLimits } from '../../domain/limits.js';

const limits: ResourceLimits = { cpuTimeMs: 2_500, wallTimeMs: 10_000, memoryMb: 256, processes: 64, outputBytes: 1_000, fileSizeBytes: 1_000_000, workDirMb: 64, openFiles: 128, stackMb: 8 };

let dir: string;
let argvFile: string;
let seccompFilter: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runlane-prologue-'));
  argvFile = join(dir, 'argv');
  seccompFilter = join(dir, 'filter.bpf');
  await writeFile(seccompFilter, 'FILTER');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the argv file as the sandbox does (NUL-terminated items). */
async function writeArgv(argv: readonly string[]): Promise<void> {
  await writeFile(argvFile, argv.map((arg) => `${arg}\0`).join(''));
}

/** Runs the prologue with bash, a command prefix that prints what it receives, and a go message. */
async function runPrologue(prefix: string[], message: Buffer): Promise<{ stdout: string; stderr: string; status: string; code: number | null }> {
  const child = spawn('bash', ['--norc', '--noprofile', '-c', PROLOGUE_SCRIPT, 'runlane-prologue', ...prologueArgs([], { argvFile, seccompFilter }, prefix)], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin' },
  });
  let stdout = '';
  let stderr = '';
  let status = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.stdio[STATUS_FD]!.on('data', (chunk) => (status += chunk));
  // The prologue may exit without reading everything (that is the point of some cases): a reset is expected.
  child.stdio[GO_FD]!.on('error', () => undefined);
  (child.stdio[GO_FD] as NodeJS.WritableStream).end(message);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { stdout, stderr, status, code };
}

describe('goMessage', () => {
  describe('when cgroups enforce memory, processes and total CPU', () => {
    it('should set a CPU backstop one second above the limit and leave RLIMIT_AS and RLIMIT_NPROC unset', () => {
      const text = goMessage({ limits, fallbackRlimits: false, argc: 1, bwrapOptions: [] }).toString();
      expect(text.split('\n')[0]).toBe('4 977 128 8192 - - 1');
    });
  });

  describe('when there are no cgroups', () => {
    it('should set RLIMIT_CPU at the limit, RLIMIT_AS to the memory limit and RLIMIT_NPROC with room for bwrap', () => {
      const text = goMessage({ limits, fallbackRlimits: true, argc: 1, bwrapOptions: [] }).toString();
      expect(text.split('\n')[0]).toBe(`3 977 128 8192 ${256 * 1024} 66 1`);
    });
  });

  describe('when a bwrap option holds a NUL byte or there is no argument', () => {
    it('should refuse it', () => {
      expect(() => goMessage({ limits, fallbackRlimits: false, argc: 1, bwrapOptions: ['a\0b'] })).toThrow(/NUL/);
      expect(() => goMessage({ limits, fallbackRlimits: false, argc: 0, bwrapOptions: [] })).toThrow(/argc/);
    });
  });
});

describe('PROLOGUE_SCRIPT', () => {
  describe('when it receives a go message', () => {
    it('should report ready, then exec the prefix with every argument intact, rlimits applied', async () => {
      const argv = ['multi\nline\n', '  spaces \\n ', 'quote\'"$HOME`id`$(id)', '', '-x', '\n'];
      await writeArgv(argv);
      const prefix = ['/bin/sh', '-c', 'shift; printf "[%s]\\n" "$@"; ulimit -t; ulimit -f; ulimit -n; ulimit -c', 'printer'];
      const result = await runPrologue(prefix, goMessage({ limits, fallbackRlimits: false, argc: argv.length, bwrapOptions: ['--ignored'] }));
      expect(result.status).toBe('ready\n');
      expect(result.code).toBe(0);
      // dash reports the file-size limit in 512-byte blocks: 977 KiB = 1954 blocks.
      expect(result.stdout).toBe(`${argv.map((arg) => `[${arg}]`).join('\n')}\n4\n1954\n128\n0\n`);
    });
  });

  describe('when the go descriptor closes without a message', () => {
    it('should exit quietly without running anything', async () => {
      const result = await runPrologue(['/bin/echo', 'ran'], Buffer.alloc(0));
      expect(result).toMatchObject({ code: 0, stdout: '', status: 'ready\n' });
    });
  });

  describe('when the argument count is not a number', () => {
    it('should refuse to go on', async () => {
      await writeArgv(['x']);
      const result = await runPrologue(['/bin/echo', 'ran'], Buffer.from('4 977 128 8192 - - $(id)\n'));
      expect(result.code).toBe(123);
      expect(result.stdout).toBe('');
    });
  });

  describe('when the argv file holds another number of arguments than announced', () => {
    it('should refuse to go on', async () => {
      await writeArgv(['a', 'b']);
      const result = await runPrologue(['/bin/echo', 'ran'], goMessage({ limits, fallbackRlimits: false, argc: 3, bwrapOptions: [] }));
      expect(result.code).toBe(123);
      expect(result.stdout).toBe('');
    });
  });

  describe('when it execs bwrap', () => {
    it('should hand it the seccomp filter open on the seccomp descriptor', async () => {
      await writeArgv(['true']);
      const prefix = ['/bin/sh', '-c', `cat <&${SECCOMP_FD}`, 'reader'];
      const result = await runPrologue(prefix, goMessage({ limits, fallbackRlimits: false, argc: 1, bwrapOptions: [] }));
      expect(result).toMatchObject({ code: 0, stdout: 'FILTER' });
    });
  });

  describe('when a megabyte of arguments is passed', () => {
    it('should decode them in well under a second', async () => {
      const argv = Array.from({ length: 8 }, (_, index) => `${index}\n`.repeat(60_000));
      await writeArgv(argv);
      const started = process.hrtime.bigint();
      const result = await runPrologue(['/bin/sh', '-c', 'shift; echo "$#" "${#1}"', 'counter'], goMessage({ limits, fallbackRlimits: false, argc: argv.length, bwrapOptions: [] }));
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(result.stdout).toBe('8 120000\n');
      // Line-by-line reading from a pipe took seconds here; the bound leaves room for a loaded machine.
      expect(elapsedMs).toBeLessThan(1_500);
    });
  });
});
