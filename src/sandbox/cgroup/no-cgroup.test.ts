// The no-cgroup driver against a fake /proc: CPU summed over the run uid's processes, counted from the program's start.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NoCgroupDriver } from './no-cgroup.js';

const UID = 61_234;

describe('NoCgroupDriver', () => {
  let proc: string;

  beforeEach(async () => {
    proc = await mkdtemp(join(tmpdir(), 'runlane-fake-proc-'));
  });
  afterEach(async () => rm(proc, { recursive: true, force: true }));

  /** A process as /proc shows it: its uid and its user and system time in clock ticks (1/100 s). */
  async function processOf(pid: number, uid: number, userTicks: number, systemTicks: number): Promise<void> {
    await mkdir(join(proc, String(pid)), { recursive: true });
    await writeFile(join(proc, String(pid), 'status'), `Name:\tprog\nState:\tR (running)\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    await writeFile(join(proc, String(pid), 'stat'), `${pid} (prog) R 1 1 1 0 -1 0 0 0 0 0 ${userTicks} ${systemTicks} 0 0 20 0 1 0\n`);
  }

  describe('when the clock is started at the program\'s start', () => {
    it('should count only the CPU used after it, by the run uid\'s processes', async () => {
      const group = await new NoCgroupDriver(proc).create('run-1', UID);
      // bwrap is the prologue's own process after two execs: the prologue's 1.5 s of argument decoding shows in its times.
      await processOf(100, UID, 120, 30);
      await processOf(200, 0, 900, 900);
      await group.startCpuClock();
      await processOf(100, UID, 125, 30);
      await processOf(101, UID, 20, 5);
      expect(await group.cpuTimeMs()).toBe(300);
      expect((await group.figures()).cpuTimeMs).toBe(300);
    });
  });
});
