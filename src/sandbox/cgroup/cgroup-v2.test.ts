// The v2 driver against a fake cgroupfs tree: what it writes, what it reads, how it kills and removes.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupV2Driver } from './cgroup-v2.js';
import { createFakeCgroupfs, type FakeCgroupfs } from '../../../test/fixtures/sandbox/fake-cgroupfs.js';

describe('CgroupV2Driver', () => {
  let fs: FakeCgroupfs;
  let parent: string;

  beforeEach(async () => {
    fs = await createFakeCgroupfs();
    await fs.write(join(fs.root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    await fs.write(join(fs.root, 'cgroup.subtree_control'), '');
    parent = join(fs.root, 'runlane');
  });

  /** A prepared driver, as createBwrapSandbox leaves it. */
  async function driver(): Promise<CgroupV2Driver> {
    const created = new CgroupV2Driver(parent);
    await created.prepare();
    return created;
  }
  afterEach(async () => fs.dispose());

  describe('when preparing the parent', () => {
    it('should enable memory, pids and cpu for the children of the root and of the parent', async () => {
      await fs.write(join(parent, 'cgroup.controllers'), 'cpu memory pids\n');
      await fs.write(join(parent, 'cgroup.subtree_control'), '');
      await new CgroupV2Driver(parent).prepare();
      expect(await fs.read(join(fs.root, 'cgroup.subtree_control'))).toBe('+memory +pids +cpu');
      expect(await fs.read(join(parent, 'cgroup.subtree_control'))).toBe('+memory +pids +cpu');
    });
  });

  describe('when a run group is created and limited', () => {
    it('should write memory.max and pids.max, and zero swap and group OOM kills where the kernel offers them', async () => {
      const group = await (await driver()).create('run-1');
      const dir = join(parent, 'run-1');
      expect(group.procsFiles).toEqual([join(dir, 'cgroup.procs')]);
      await fs.write(join(dir, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n');
      await group.applyLimits({ memoryBytes: 256 << 20, processes: 66 });
      expect(await fs.read(join(dir, 'memory.max'))).toBe(String(256 << 20));
      expect(await fs.read(join(dir, 'pids.max'))).toBe('66');
    });

    it('should not create control files the kernel does not offer (swap, group OOM)', async () => {
      await (await driver()).create('run-2');
      await expect(fs.read(join(parent, 'run-2', 'memory.swap.max'))).rejects.toThrow(/ENOENT/);
      await expect(fs.read(join(parent, 'run-2', 'memory.oom.group'))).rejects.toThrow(/ENOENT/);
    });
  });

  describe('when reading figures', () => {
    it('should report CPU since the run began, the peak and an OOM kill', async () => {
      const group = await (await driver()).create('run-3');
      const dir = join(parent, 'run-3');
      await fs.write(join(dir, 'cpu.stat'), 'usage_usec 2000\n');
      await group.applyLimits({ memoryBytes: 1 << 20, processes: 4 });
      await fs.write(join(dir, 'cpu.stat'), 'usage_usec 1502000\n');
      await fs.write(join(dir, 'memory.peak'), String(64 << 20));
      await fs.write(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n');
      await fs.write(join(dir, 'pids.events'), 'max 0\n');
      expect(await group.figures()).toEqual({ cpuTimeMs: 1500, memoryPeakKb: 64 * 1024, oomKilled: true, processLimitHit: false });
    });

    it('should count CPU from the program\'s start once the clock is started, not the set-up before it', async () => {
      const group = await (await driver()).create('run-5');
      const dir = join(parent, 'run-5');
      await fs.write(join(dir, 'cpu.stat'), 'usage_usec 1000\n');
      await group.applyLimits({ memoryBytes: 1 << 20, processes: 4 });
      // The prologue and bwrap burn 2 s between the limits and the program's start.
      await fs.write(join(dir, 'cpu.stat'), 'usage_usec 2001000\n');
      await group.startCpuClock();
      await fs.write(join(dir, 'cpu.stat'), 'usage_usec 2251000\n');
      expect(await group.cpuTimeMs()).toBe(250);
      expect((await group.figures()).cpuTimeMs).toBe(250);
    });

    it('should fall back to the highest memory.current seen when memory.peak is missing', async () => {
      const group = await (await driver()).create('run-4');
      const dir = join(parent, 'run-4');
      await fs.write(join(dir, 'memory.current'), String(10 << 20));
      await group.cpuTimeMs();
      await fs.write(join(dir, 'memory.current'), String(2 << 20));
      await group.cpuTimeMs();
      await fs.write(join(dir, 'pids.events'), 'max 2\n');
      const figures = await group.figures();
      expect(figures.memoryPeakKb).toBe(10 * 1024);
      expect(figures.processLimitHit).toBe(true);
    });
  });

  describe('when killing and removing', () => {
    it('should use cgroup.kill when present and remove the group once empty', async () => {
      const group = await (await driver()).create('run-5');
      const dir = join(parent, 'run-5');
      await fs.write(join(dir, 'cgroup.kill'), '');
      await fs.write(join(dir, 'cgroup.procs'), '');
      await group.killAll();
      expect(await fs.read(join(dir, 'cgroup.kill'))).toBe('1');
      await fs.emptyGroup(dir);
      await group.remove();
      await expect(fs.read(join(dir, 'cgroup.procs'))).rejects.toThrow(/ENOENT/);
    });
  });
});
