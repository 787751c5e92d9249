// Unit tests of ResidentInit's pure parts: the ended frame, and finding a child's host pid through NSpid.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { hostPidOfChild, parseEnded } from './resident-init.js';

describe('parseEnded', () => {
  it('should read an exit code or a signal, and whether the reset was verified', () => {
    expect(parseEnded('exit 0 clean')).toEqual({ code: 0, signal: null, clean: true, problem: null });
    expect(parseEnded('signal 9 clean')).toEqual({ code: null, signal: 'SIGKILL', clean: true, problem: null });
    expect(parseEnded('exit 3 unclean processes survived SIGKILL')).toEqual({ code: 3, signal: null, clean: false, problem: 'processes survived SIGKILL' });
  });

  it('should refuse anything else', () => {
    for (const text of ['', 'exit clean', 'exit 0', 'exit -1 clean', 'exit 0 dirty', 'quit 0 clean']) expect(() => parseEnded(text)).toThrow(/malformed/);
  });
});

describe('hostPidOfChild', () => {
  const root = process.getuid?.() === 0;
  if (!root) console.warn('SKIPPED: hostPidOfChild in a real pid namespace needs root (unshare --pid)');

  it.skipIf(!root)('should find the host pid of a child of a pid namespace init by its innermost pid (needs root)', async () => {
    // `unshare --pid --fork` is the init's stand-in: its child is pid 1 of a new pid namespace.
    const unshare = spawn('unshare', ['--pid', '--fork', '--kill-child', 'sleep', '30'], { stdio: 'ignore' });
    try {
      let found: number | null = null;
      for (let attempt = 0; attempt < 100 && found === null; attempt++) {
        found = hostPidOfChild(unshare.pid!, 1);
        if (found === null) await sleep(10);
      }
      expect(found).not.toBeNull();
      // Found as soon as it is forked: it becomes `sleep` once it has exec'd, a moment later on a busy host.
      let command = '';
      for (let attempt = 0; attempt < 100 && command !== 'sleep\n'; attempt++) {
        command = await readFile(`/proc/${found}/comm`, 'utf8');
        if (command !== 'sleep\n') await sleep(10);
      }
      expect(command).toBe('sleep\n');
      expect(hostPidOfChild(unshare.pid!, 2)).toBeNull();
    } finally {
      unshare.kill('SIGKILL');
    }
  });

  it('should not take a child outside any new pid namespace', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(hostPidOfChild(process.pid, child.pid!)).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
