// The prologue's go message, and the real bash script decoding it (no root needed: no cgroups, a harmless command).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GO_FD, PROLOGUE_SCRIPT, STATUS_FD, goMessage, prologueArgs } from './prologue.js';
import type { ResourceLimits } from '../../domain/limits.js';

const limits: ResourceLimits = { cpuTimeMs: 2_500, wallTimeMs: 10_000, memoryMb: 256, processes: 64, outputBytes: 1_000, fileSizeBytes: 1_000_000, workDirMb: 64, openFiles: 128, stackMb: 8 };

/** Runs the prologue with bash, a command prefix that prints what it receives, and a go message. */
async function runPrologue(prefix: string[], message: Buffer): Promise<{ stdout: string; stderr: string; status: string; code: number | null }> {
  const child = spawn('bash', ['--norc', '--noprofile', '-c', PROLOGUE_SCRIPT, 'runlane-prologue', ...prologueArgs([], prefix)], {
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
      const text = goMessage({ limits, fallbackRlimits: false, argv: ['true'], bwrapOptions: [] }).toString();
      expect(text.split('\n')[0]).toBe('4 977 128 8192 - -');
    });
  });

  describe('when there are no cgroups', () => {
    it('should set RLIMIT_CPU at the limit, RLIMIT_AS to the memory limit and RLIMIT_NPROC with room for bwrap', () => {
      const text = goMessage({ limits, fallbackRlimits: true, argv: ['true'], bwrapOptions: [] }).toString();
      expect(text.split('\n')[0]).toBe(`3 977 128 8192 ${256 * 1024} 66`);
    });
  });

  describe('when an argument holds a NUL byte', () => {
    it('should refuse it', () => {
      expect(() => goMessage({ limits, fallbackRlimits: false, argv: ['a\0b'], bwrapOptions: [] })).toThrow(/NUL/);
    });
  });
});

describe('PROLOGUE_SCRIPT', () => {
  describe('when it receives a go message', () => {
    it('should report ready, then exec the prefix with every argument intact, rlimits applied', async () => {
      const argv = ['multi\nline\n', '  spaces \\n ', 'quote\'"$HOME`id`$(id)', '', '-x'];
      const prefix = ['/bin/sh', '-c', 'shift; printf "[%s]\\n" "$@"; ulimit -t; ulimit -f; ulimit -n; ulimit -c', 'printer'];
      const result = await runPrologue(prefix, goMessage({ limits, fallbackRlimits: false, argv, bwrapOptions: ['--ignored'] }));
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
      const result = await runPrologue(['/bin/echo', 'ran'], Buffer.from('4 977 128 8192 - -\n$(id)\n'));
      expect(result.code).toBe(123);
      expect(result.stdout).toBe('');
    });
  });
});
