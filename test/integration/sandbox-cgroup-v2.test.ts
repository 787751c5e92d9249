// cgroup v2 specifics against a real v2 hierarchy: the limits land in memory.max / memory.swap.max / pids.max and an OOM kill reads as memory.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { announceSkip, availableFlavours, createTestSandbox, scaledMs, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';

const { available, reasons } = await availableFlavours();
const hasV2 = available.includes('v2');
if (!hasV2) announceSkip('cgroup v2 integration tests (memory.max, memory.swap.max, pids.max, OOM group kill)', reasons.v2 || 'no usable cgroup v2 hierarchy');

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

describe.skipIf(hasV2)('when this host has no usable cgroup v2 hierarchy', () => {
  it.skip(`should run the v2 integration tests (SKIPPED: ${reasons.v2})`, () => undefined);
});
