// cgroup v2 specifics against a real v2 hierarchy: the limits land in memory.max / memory.swap.max / pids.max and an OOM kill reads as memory.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/logging/logger.js';
import { CgroupV2Driver } from '../../src/sandbox/cgroup/cgroup-v2.js';
import { prepareHostLayout, removeHostLayout, SANDBOX_UID } from '../../src/sandbox/bwrap/host-layout.js';
import { sandboxEnv } from '../../src/sandbox/bwrap/bwrap-argv.js';
import { DEFAULT_SECCOMP_FILTER } from '../../src/sandbox/bwrap/seccomp-filter.js';
import { DEFAULT_RESIDENT_INIT, RESIDENT_STATUS_FD, ResidentInit, residentBwrapOptions } from '../../src/sandbox/bwrap/resident/resident-init.js';
import { WorkDir } from '../../src/sandbox/work-dir.js';
import { parseCgroupMounts } from '../../src/sandbox/cgroup/detect-cgroups.js';
import { announceSkip, availableFlavours, createTestSandbox, scaledMs, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';

const { available, reasons } = await availableFlavours();
const hasV2 = available.includes('v2');
// This host's own mounts are never changed to get one: scripts/vm/cgroup-v2-vm.sh runs these in a cgroup v2 kernel.
if (!hasV2) announceSkip('cgroup v2 integration tests (memory.max, memory.swap.max, pids.max, OOM group kill, CLONE_INTO_CGROUP parking)', reasons.v2 || 'no usable cgroup v2 hierarchy');

describe.runIf(hasV2)('when the sandbox runs on a real cgroup v2 hierarchy', () => {
  let t: TestSandbox;

  beforeAll(async () => {
    t = await createTestSandbox('v2');
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('should write the run limits into the run group and forbid swap', async () => {
    const process = await t.sandbox.start({ argv: ['sleep', '1000'], limits: testLimits({ memoryMb: 96, processes: 20 }) });
    // Killed on every path: a failed assertion must not leave the sleeper for the next test's leftover check.
    onTestFinished(async () => {
      process.kill();
      await process.result.catch(() => undefined);
    });
    await sleep(scaledMs(100));
    const parent = t.cgroupParents[0]!;
    const groups = (await readdir(parent, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => join(parent, entry.name));
    const limits = await Promise.all(groups.map(async (group) => (await readFile(join(group, 'memory.max'), 'utf8')).trim()));
    const index = limits.indexOf(String(96 * 1024 * 1024));
    expect(index).toBeGreaterThanOrEqual(0);
    const group = groups[index]!;
    // The per-run path adds bwrap's monitor and init to the group; a resident's parked child becomes the program itself.
    const sandboxProcesses = t.sandbox.capabilities.implementation === 'bwrap' ? 2 : 0;
    expect((await readFile(join(group, 'pids.max'), 'utf8')).trim()).toBe(String(20 + sandboxProcesses));
    const swap = await readFile(join(group, 'memory.swap.max'), 'utf8').catch(() => null);
    if (swap !== null) expect(swap.trim()).toBe('0');
  });

  it('should report an OOM kill as a memory limit hit', async () => {
    const result = await t.sandbox.run({ argv: ['python3', '-c', 'x = bytearray(512 * 1024 * 1024)'], limits: testLimits({ memoryMb: 64 }) });
    expect(result.limitHit).toBe('memory');
    expect(await t.leftoverCgroups()).toEqual([]);
  });
});

describe.runIf(hasV2)('when a resident sandbox parks a child on cgroup v2', () => {
  it("should create the child inside the run's group (CLONE_INTO_CGROUP), so no cgroup.procs write is needed", async () => {
    const hostEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
    const v2Mount = parseCgroupMounts(await readFile('/proc/self/mountinfo', 'utf8')).find((mount) => mount.type === 'cgroup2')!;
    const root = await mkdtemp(join(tmpdir(), 'runlane-clone-into-'));
    const driver = new CgroupV2Driver(join(v2Mount.path, `runlane-test-${randomUUID()}`));
    const layout = await prepareHostLayout({ parentDir: root, serverKey: randomUUID().slice(0, 8) });
    const uid = 3_900_000 + randomInt(0, 90_000);
    const workDir = await WorkDir.create(root, `slot-${uid}`, uid, 16, { mountPath: 'mount', umountPath: 'umount', env: hostEnv });
    let resident: ResidentInit | null = null;
    try {
      await driver.prepare();
      const group = await driver.create(`run-${randomUUID()}`);
      const bwrapOptions = residentBwrapOptions({ systemArgs: layout.systemArgs, slotDir: workDir.root, initPath: DEFAULT_RESIDENT_INIT, statusFd: RESIDENT_STATUS_FD, cgroupParentDir: driver.cloneParentDir });
      resident = await ResidentInit.start({ bwrapPath: 'bwrap', initPath: DEFAULT_RESIDENT_INIT, bwrapOptions, seccompFilter: await readFile(DEFAULT_SECCOMP_FILTER), hostUid: uid, sandboxUid: SANDBOX_UID, hostEnv, logger: silentLogger() });
      const { hostPid, placed } = await resident.park(group.cloneName);
      expect(placed).toBe(true);
      // Nothing wrote cgroup.procs, yet the child is there from its first instruction on.
      expect((await readFile(join(driver.cloneParentDir, group.cloneName!, 'cgroup.procs'), 'utf8')).trim()).toBe(String(hostPid));
      const run = resident.begin({ argv: ['cat', '/proc/self/cgroup'], env: sandboxEnv(), rlimits: { cpuSeconds: 10, fileSizeBytes: 1 << 20, openFiles: 64, stackBytes: 8 << 20, addressSpaceBytes: null, processes: null }, outputBytes: 1000 });
      let stdout = '';
      run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      run.stdin.end();
      expect((await run.ended).clean).toBe(true);
      // Its cgroup namespace is rooted at that group.
      expect(stdout).toBe('0::/\n');
      await group.remove();
    } finally {
      await resident?.close();
      await workDir.destroy();
      await removeHostLayout(layout);
      await driver.dispose();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(hasV2)('when this host has no usable cgroup v2 hierarchy', () => {
  it.skip(`should run the v2 integration tests (SKIPPED: ${reasons.v2})`, () => undefined);
});
