// Slot integrity against the real sandbox: a slot is emptied and verified on every path out of a run, or retired.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors/index.js';
import type { SandboxRunSpec } from '../../src/sandbox/sandbox.js';
import { eventually } from '../support/http.js';
import { createTestSandbox, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';

const run = promisify(execFile);

/** Lists everything a run can see in its writable places. */
const LIST_WRITABLE: Omit<SandboxRunSpec, 'limits'> = { argv: ['sh', '-c', 'ls -A /box /tmp /dev/shm'] };
const EMPTY_LISTING = '/box:\n\n/dev/shm:\n\n/tmp:\n';

let host: TestSandbox | undefined;

afterEach(async () => {
  await host?.dispose();
  host = undefined;
});

/** A sandbox with `uidCount` slots and no warm prologues, so consecutive runs share a slot. */
async function sandboxWithSlots(uidCount: number): Promise<TestSandbox> {
  host = await createTestSandbox(undefined, { uidCount, warmPool: 0 });
  return host;
}

/** Mount points of this sandbox's slots (`runs/<server>/slot-…`). */
async function slotDirs(t: TestSandbox): Promise<string[]> {
  const runs = join(t.options.runRoot, 'runs');
  const dirs: string[] = [];
  for (const server of await readdir(runs).catch(() => [] as string[])) {
    for (const slot of await readdir(join(runs, server)).catch(() => [] as string[])) dirs.push(join(runs, server, slot));
  }
  return dirs;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the run to be refused');
}

describe('when writing a run\'s files fails half-way', () => {
  it('should refuse the run without a host path and hand the next run an empty slot', async () => {
    const t = await sandboxWithSlots(1);
    const files = [
      { path: 'victim-secret.c', content: Buffer.from('int secret = 42;\n') },
      { path: 'big.bin', content: Buffer.alloc(40 * 1024 * 1024, 1) },
    ];
    const error = await rejection(t.sandbox.run({ argv: ['true'], files, limits: testLimits({ workDirMb: 16 }) }));
    expect(isAppError(error) && error.code).toBe('RUNLANE_ERR_SANDBOX_WORK_DIR_FULL');
    expect((error as Error).message).not.toContain(t.options.runRoot);

    const next = await t.sandbox.run({ ...LIST_WRITABLE, limits: testLimits() });
    expect(next.stdout.toString()).toBe(EMPTY_LISTING);
    expect(await t.leftoverWorkDirs()).toEqual([]);
    expect(t.sandbox.health()).toEqual({ slots: 1, retired: 0 });
  });
});

describe('when a spec names one file twice or as a file and a folder', () => {
  it('should refuse it before writing anything', async () => {
    const t = await sandboxWithSlots(1);
    for (const paths of [['main', 'main'], ['lib', 'lib/util.py']]) {
      const files = paths.map((path) => ({ path, content: Buffer.from(path) }));
      const error = await rejection(t.sandbox.run({ argv: ['true'], files, limits: testLimits() }));
      expect(isAppError(error) && error.code).toBe('RUNLANE_ERR_SANDBOX_BAD_SPEC');
      expect((error as Error).message).not.toContain(t.options.runRoot);
    }
    const next = await t.sandbox.run({ ...LIST_WRITABLE, limits: testLimits() });
    expect(next.stdout.toString()).toBe(EMPTY_LISTING);
  });
});

describe('when a program leaves files in /box, /tmp and /dev/shm', () => {
  it('should give the next run of the slot none of them', async () => {
    const t = await sandboxWithSlots(1);
    const plant = 'for d in /box /tmp /dev/shm; do echo planted > $d/json.py; mkdir $d/sub; echo x > $d/sub/f; ln -s /etc/passwd $d/link; done; ls -A /dev/shm';
    const planted = await t.sandbox.run({ argv: ['sh', '-c', plant], limits: testLimits() });
    expect(planted.stdout.toString()).toBe('json.py\nlink\nsub\n');
    const next = await t.sandbox.run({ ...LIST_WRITABLE, limits: testLimits() });
    expect(next.stdout.toString()).toBe(EMPTY_LISTING);
  });
});

describe('when an idle slot is changed behind the sandbox\'s back', () => {
  it('should retire it at hand-out instead of giving it to a run', async () => {
    const t = await sandboxWithSlots(2);
    await t.sandbox.run({ argv: ['true'], limits: testLimits() });
    const [slot] = await slotDirs(t);
    await writeFile(join(slot!, 'box', 'json.py'), 'print("planted")\n');

    const next = await t.sandbox.run({ ...LIST_WRITABLE, limits: testLimits() });
    expect(next.stdout.toString()).toBe(EMPTY_LISTING);
    expect(t.sandbox.health()).toEqual({ slots: 1, retired: 1 });
    expect(await slotDirs(t)).not.toContain(slot);
  });
});

describe('when a slot cannot be reset after its run', () => {
  it('should retire the slot, report the lost capacity and keep running on the others', async () => {
    const t = await sandboxWithSlots(2);
    const stuck = t.sandbox.run({ argv: ['sh', '-c', 'echo x > stuck; sleep 2'], limits: testLimits() });
    let stuckFile = '';
    expect(
      await eventually(async () => {
        for (const slot of await slotDirs(t)) {
          const entries = await readdir(join(slot, 'box')).catch(() => [] as string[]);
          if (entries.includes('stuck')) stuckFile = join(slot, 'box', 'stuck');
        }
        return stuckFile !== '';
      }),
    ).toBe(true);
    // An immutable file cannot be removed, not even by root: the reset fails, as it would on a kernel or tmpfs fault.
    await run('chattr', ['+i', stuckFile]);
    try {
      expect((await stuck).exitCode).toBe(0);
      expect(t.sandbox.health()).toEqual({ slots: 1, retired: 1 });
      // The retired tmpfs is unmounted (which takes the immutable file with it) and never seen again.
      expect(await slotDirs(t)).not.toContain(stuckFile.slice(0, -'/box/stuck'.length));

      for (let index = 0; index < 3; index++) {
        const next = await t.sandbox.run({ ...LIST_WRITABLE, limits: testLimits() });
        expect(next.stdout.toString()).toBe(EMPTY_LISTING);
      }
      expect(t.sandbox.health()).toEqual({ slots: 1, retired: 1 });
    } finally {
      await run('chattr', ['-i', stuckFile]).catch(() => undefined);
    }
  });
});

describe('when a program is given a megabyte of arguments', () => {
  const bigArgs = Array.from({ length: 8 }, (_, index) => `${index} line\n`.repeat(16_000));

  it('should pass them intact and charge none of the set-up to the program\'s CPU time', async () => {
    const t = await sandboxWithSlots(2);
    const result = await t.sandbox.run({ argv: ['true', ...bigArgs], limits: testLimits({ cpuTimeMs: 5_000 }) });
    expect(result.exitCode).toBe(0);
    expect(result.limitHit).toBeNull();
    // Decoding the arguments line by line in the prologue used to cost seconds, all of it counted as the program's.
    expect(result.cpuTimeMs).toBeLessThan(250);

    const echoed = await t.sandbox.run({ argv: ['sh', '-c', 'for a; do printf %s "$a" | md5sum; done', 'sh', ...bigArgs], limits: testLimits({ cpuTimeMs: 5_000 }) });
    expect(echoed.stdout.toString()).toBe(bigArgs.map((arg) => `${createHash('md5').update(arg).digest('hex')}  -\n`).join(''));
  });

  it('should refuse one argument longer than the kernel accepts with a clean bad-spec error', async () => {
    const t = await sandboxWithSlots(1);
    const error = await rejection(t.sandbox.run({ argv: ['echo', 'x'.repeat(200 * 1024)], limits: testLimits() }));
    expect(isAppError(error) && error.code).toBe('RUNLANE_ERR_SANDBOX_BAD_SPEC');
    expect((error as Error).message).toMatch(/argument 1 is 204800 bytes long/);
    expect((error as Error).message).not.toMatch(/prologue|runlane-|\//);
    const next = await t.sandbox.run({ ...LIST_WRITABLE, limits: testLimits() });
    expect(next.stdout.toString()).toBe(EMPTY_LISTING);
  });
});

describe('when the seccomp filter has not been built', () => {
  it('should refuse to start and say how to build it', async () => {
    const runRoot = await mkdtemp(join(tmpdir(), 'runlane-sandbox-test-'));
    try {
      const error = await rejection(createTestSandbox(undefined, { runRoot, seccompFilter: join(runRoot, 'missing.bpf') }));
      expect(isAppError(error) && error.code).toBe('RUNLANE_ERR_SANDBOX_SECCOMP_MISSING');
      expect((error as Error).message).toContain('scripts/setup.sh');
    } finally {
      await rm(runRoot, { recursive: true, force: true });
    }
  });
});
