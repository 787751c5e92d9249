// A run may last as long as its own limits allow: the set-up deadline ends only runs whose program never started.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSandbox, scaledMs, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';

describe('when a program runs longer than the set-up deadline', () => {
  let t: TestSandbox;

  beforeAll(async () => {
    // A short deadline stands in for the default 15 s, which long interactive runs and generous wall limits outlast.
    t = await createTestSandbox(undefined, { setupTimeoutMs: scaledMs(1_000) });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('should let it finish under its own wall-time limit rather than kill it as a set-up fault', async () => {
    const seconds = scaledMs(2_500) / 1000;
    const result = await t.sandbox.run({ argv: ['sh', '-c', `sleep ${seconds}; echo done`], limits: testLimits({ wallTimeMs: 10_000 }) });
    expect(result).toMatchObject({ exitCode: 0, signal: null, limitHit: null });
    expect(result.stdout.toString()).toBe('done\n');
    expect(await t.processesOfRuns()).toEqual([]);
  });

  it('should still stop it at its wall-time limit', async () => {
    const result = await t.sandbox.run({ argv: ['sleep', '1000'], limits: testLimits({ wallTimeMs: 2_000 }) });
    expect(result.limitHit).toBe('wall');
  });
});
