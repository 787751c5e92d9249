// Detection of the cgroup flavour from mountinfo, against fake hierarchies.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectCgroups, parseCgroupMounts } from './detect-cgroups.js';
import { createFakeCgroupfs, type FakeCgroupfs } from '../../../test/fixtures/sandbox/fake-cgroupfs.js';

const mountLine = (id: number, path: string, type: 'cgroup' | 'cgroup2', options = '') => `${id} 23 0:${id} / ${path} rw,relatime - ${type} ${type} rw${options ? `,${options}` : ''}`;

describe('parseCgroupMounts', () => {
  describe('when the host mixes v1 hierarchies and a v2 mount', () => {
    it('should list each with its controllers', () => {
      const mountinfo = [
        '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
        mountLine(32, '/sys/fs/cgroup/cpu,cpuacct', 'cgroup', 'cpu,cpuacct'),
        mountLine(35, '/sys/fs/cgroup/memory', 'cgroup', 'memory'),
        mountLine(41, '/sys/fs/cgroup/unified', 'cgroup2'),
      ].join('\n');
      expect(parseCgroupMounts(mountinfo)).toEqual([
        { path: '/sys/fs/cgroup/cpu,cpuacct', type: 'cgroup', controllers: ['rw', 'cpu', 'cpuacct'] },
        { path: '/sys/fs/cgroup/memory', type: 'cgroup', controllers: ['rw', 'memory'] },
        { path: '/sys/fs/cgroup/unified', type: 'cgroup2', controllers: [] },
      ]);
    });
  });
});

describe('detectCgroups', () => {
  let fs: FakeCgroupfs;

  beforeEach(async () => {
    fs = await createFakeCgroupfs();
  });
  afterEach(async () => fs.dispose());

  describe('when a v2 hierarchy offers memory and pids', () => {
    it('should choose v2 with a `runlane` parent and no warning', async () => {
      await fs.write(join(fs.root, 'cgroup.controllers'), 'cpu memory pids\n');
      await fs.write(join(fs.root, 'cgroup.subtree_control'), 'cpu memory pids\n');
      const detected = await detectCgroups({ cgroupRoot: null, mountinfo: mountLine(40, fs.root, 'cgroup2') });
      expect(detected.driver.version).toBe('v2');
      expect(detected.warnings).toEqual([]);
    });
  });

  describe('when a v2 hierarchy is given a relative cgroupRoot', () => {
    it('should create the parent under the v2 mount rather than fall back to no cgroups', async () => {
      await fs.write(join(fs.root, 'cgroup.controllers'), 'cpu memory pids\n');
      await fs.write(join(fs.root, 'cgroup.subtree_control'), 'cpu memory pids\n');
      const detected = await detectCgroups({ cgroupRoot: 'runlane-test', mountinfo: mountLine(40, fs.root, 'cgroup2') });
      expect(detected.driver.version).toBe('v2');
      const group = await detected.driver.create('run', 61000);
      expect(group.procsFiles[0]).toBe(join(fs.root, 'runlane-test/run/cgroup.procs'));
    });
  });

  describe('when v2 lacks the controllers but v1 has memory, pids and cpuacct', () => {
    it('should choose v1, creating the parent under each controller, and say why not v2', async () => {
      await fs.write(join(fs.root, 'unified/cgroup.controllers'), 'hugetlb\n');
      const mountinfo = [
        mountLine(41, join(fs.root, 'unified'), 'cgroup2'),
        mountLine(33, join(fs.root, 'cpuacct'), 'cgroup', 'cpuacct'),
        mountLine(35, join(fs.root, 'memory'), 'cgroup', 'memory'),
        mountLine(39, join(fs.root, 'pids'), 'cgroup', 'pids'),
      ].join('\n');
      const detected = await detectCgroups({ cgroupRoot: 'runlane-test', mountinfo });
      expect(detected.driver.version).toBe('v1');
      expect(detected.warnings.join(' ')).toMatch(/v2/);
      const group = await detected.driver.create('run', 61000);
      expect(group.procsFiles[0]).toBe(join(fs.root, 'memory/runlane-test/run/cgroup.procs'));
    });
  });

  describe('when no usable hierarchy exists', () => {
    it('should fall back to none with a loud warning about rlimits', async () => {
      const detected = await detectCgroups({ cgroupRoot: null, mountinfo: mountLine(35, join(fs.root, 'memory'), 'cgroup', 'memory') });
      expect(detected.driver.version).toBe('none');
      expect(detected.warnings.join(' ')).toMatch(/NO USABLE CGROUPS.*rlimits/);
    });
  });

  describe('when a flavour is forced that the host lacks', () => {
    it('should refuse rather than silently pick another', async () => {
      await expect(detectCgroups({ cgroupRoot: null, force: 'v2', mountinfo: '' })).rejects.toThrow(/no cgroup2 hierarchy/);
    });
  });
});
