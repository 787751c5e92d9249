// A slot's resident sandbox killed from the host: the pool notices, starts a fresh one for the slot, and runs go on.
import { readFile, readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSandbox, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';

let t: TestSandbox | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** Host pids of the residents' PID 1 processes whose bwrap names this test's run root. */
async function residentInits(runRoot: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const command = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (!/^(\/\S*\/)?bwrap\0/.test(command) || !command.includes(runRoot)) continue;
    const children = await readFile(`/proc/${entry}/task/${entry}/children`, 'utf8').catch(() => '');
    found.push(...children.trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return found;
}

describe('when a resident sandbox dies between runs', () => {
  it('should start a fresh resident for the slot and run the next command there', async () => {
    t = await createTestSandbox('v1', { implementation: 'resident', uidCount: 1, warmPool: 0 });
    expect((await t.sandbox.run({ argv: ['echo', 'before'], limits: testLimits() })).stdout.toString()).toBe('before\n');
    const [init] = await residentInits(t.options.runRoot);
    expect(init).toBeGreaterThan(0);
    process.kill(init!, 'SIGKILL');
    const after = await t.sandbox.run({ argv: ['echo', 'after'], limits: testLimits() });
    expect(after).toMatchObject({ exitCode: 0, limitHit: null });
    expect(after.stdout.toString()).toBe('after\n');
    const [fresh] = await residentInits(t.options.runRoot);
    expect(fresh).toBeGreaterThan(0);
    expect(fresh).not.toBe(init);
    expect(t.sandbox.health()).toEqual({ slots: 1, retired: 0 });
  });

  it('should fail only the command whose parked child died with its resident, and serve the next one', async () => {
    t = await createTestSandbox('v1', { implementation: 'resident', uidCount: 2, warmPool: 1 });
    expect((await t.sandbox.run({ argv: ['true'], limits: testLimits() })).exitCode).toBe(0);
    // The pool parks a child for the next run in the background; whether or not it has yet, every resident dies here.
    await (t.sandbox as { settled?: () => Promise<void> }).settled?.();
    expect((await residentInits(t.options.runRoot)).length).toBeGreaterThan(0);
    for (const init of await residentInits(t.options.runRoot)) process.kill(init, 'SIGKILL');
    const outcome = await t.sandbox.run({ argv: ['echo', 'next'], limits: testLimits() }).then(
      (result) => ({ result, error: null }),
      (error: unknown) => ({ result: null, error: error as { code?: string } }),
    );
    if (outcome.error !== null) expect(outcome.error.code).toBe('RUNLANE_ERR_SANDBOX_SETUP_FAILED');
    else expect(outcome.result!.stdout.toString()).toBe('next\n');
    const later = await t.sandbox.run({ argv: ['echo', 'later'], limits: testLimits() });
    expect(later.stdout.toString()).toBe('later\n');
    expect(await t.processesOfRuns()).toEqual([]);
  });

  it('should refuse a job too large to hand over as a set-up fault and give the slot back', async () => {
    t = await createTestSandbox('v1', { implementation: 'resident', uidCount: 1, warmPool: 0 });
    // Over the 1 MiB a job frame may carry: refused before PID 1 sees it, the parked child must be discarded.
    const huge = Array.from({ length: 20 }, () => 'x'.repeat(60_000));
    await expect(t.sandbox.run({ argv: ['true', ...huge], limits: testLimits() })).rejects.toMatchObject({ code: 'RUNLANE_ERR_SANDBOX_SETUP_FAILED' });
    const next = await t.sandbox.run({ argv: ['echo', 'next'], limits: testLimits() });
    expect(next.stdout.toString()).toBe('next\n');
    expect(t.sandbox.health()).toEqual({ slots: 1, retired: 0 });
  });
});
