// The v1 driver against a fake cgroupfs tree: one group per hierarchy, limits, counters reset, figures.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupV1Driver } from './cgroup-v1.js';
import { createFakeCgroupfs, type FakeCgroupfs } from '../../../test/fixtures/sandbox/fake-cgroupfs.js';

describe('CgroupV1Driver', () => {
  let fs: FakeCgroupfs;
  let parents: { memory: string; pids: string; cpuacct: string };

  beforeEach(async () => {
    fs = await createFakeCgroupfs();
    parents = { memory: join(fs.root, 'memory/runlane'), pids: join(fs.root, 'pids/runlane'), cpuacct: join(fs.root, 'cpuacct/runlane') };
  });
  afterEach(async () => fs.dispose());

  async function createGroup(withMemsw: boolean) {
    const driver = new CgroupV1Driver(parents);
    await driver.prepare();
    if (withMemsw) await fs.write(join(parents.memory, 'memory.memsw.limit_in_bytes'), '9223372036854771712\n');
    await driver.prepare();
    return driver.create('run-1');
  }

  describe('when a run group is created', () => {
    it('should place the run in all three hierarchies', async () => {
      const group = await createGroup(false);
      expect(group.procsFiles).toEqual([
        join(parents.memory, 'run-1/cgroup.procs'),
        join(parents.pids, 'run-1/cgroup.procs'),
        join(parents.cpuacct, 'run-1/cgroup.procs'),
      ]);
    });
  });

  describe('when another server removed the shared parent while it was empty', () => {
    it('should recreate the parent and still create the run group', async () => {
      const driver = new CgroupV1Driver(parents);
      await driver.prepare();
      await driver.dispose();
      const group = await driver.create('run-2');
      expect(group.procsFiles[0]).toBe(join(parents.memory, 'run-2/cgroup.procs'));
    });
  });

  describe('when limits are applied', () => {
    it('should set memory, memsw (when swap is accounted) and pids, and restart the peak and CPU counters', async () => {
      const group = await createGroup(true);
      await group.applyLimits({ memoryBytes: 128 << 20, processes: 34 });
      const memory = join(parents.memory, 'run-1');
      expect(await fs.read(join(memory, 'memory.limit_in_bytes'))).toBe(String(128 << 20));
      expect(await fs.read(join(memory, 'memory.memsw.limit_in_bytes'))).toBe(String(128 << 20));
      expect(await fs.read(join(memory, 'memory.max_usage_in_bytes'))).toBe('0');
      expect(await fs.read(join(parents.pids, 'run-1/pids.max'))).toBe('34');
      expect(await fs.read(join(parents.cpuacct, 'run-1/cpuacct.usage'))).toBe('0');
    });

    it('should leave memsw alone where swap is not accounted', async () => {
      const group = await createGroup(false);
      await group.applyLimits({ memoryBytes: 1 << 20, processes: 4 });
      await expect(fs.read(join(parents.memory, 'run-1/memory.memsw.limit_in_bytes'))).rejects.toThrow(/ENOENT/);
    });
  });

  describe('when reading figures', () => {
    it('should take CPU from cpuacct, the peak from max_usage and an OOM kill from oom_control', async () => {
      const group = await createGroup(false);
      await fs.write(join(parents.cpuacct, 'run-1/cpuacct.usage'), '1250000000\n');
      await fs.write(join(parents.memory, 'run-1/memory.max_usage_in_bytes'), String(200 << 20));
      await fs.write(join(parents.memory, 'run-1/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
      await fs.write(join(parents.pids, 'run-1/pids.events'), 'max 5\n');
      expect(await group.figures()).toEqual({ cpuTimeMs: 1250, memoryPeakKb: 200 * 1024, oomKilled: true, processLimitHit: true });
    });

    it('should count CPU from the program\'s start once the clock is started, not the set-up before it', async () => {
      const group = await createGroup(false);
      await group.applyLimits({ memoryBytes: 1 << 20, processes: 4 });
      // The prologue and bwrap burn 2 s between the limits and the program's start.
      await fs.write(join(parents.cpuacct, 'run-1/cpuacct.usage'), '2000000000\n');
      await group.startCpuClock();
      await fs.write(join(parents.cpuacct, 'run-1/cpuacct.usage'), '2300000000\n');
      expect(await group.cpuTimeMs()).toBe(300);
      expect((await group.figures()).cpuTimeMs).toBe(300);
    });

    it('should fall back to failcnt on kernels without an oom_kill counter', async () => {
      const group = await createGroup(false);
      await fs.write(join(parents.memory, 'run-1/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\n');
      await fs.write(join(parents.memory, 'run-1/memory.failcnt'), '12\n');
      expect((await group.figures()).oomKilled).toBe(true);
    });
  });

  describe('when the group is empty', () => {
    it('should find nothing to kill and remove all three directories', async () => {
      const group = await createGroup(false);
      for (const parent of Object.values(parents)) await fs.emptyGroup(join(parent, 'run-1'));
      await group.killAll();
      await group.remove();
      for (const parent of Object.values(parents)) await expect(fs.read(join(parent, 'run-1/cgroup.procs'))).rejects.toThrow(/ENOENT/);
    });
  });
});
