// Runs the sandbox conformance suite against every implementation (resident and per-run bwrap) with each cgroup flavour this host offers (says loudly which it cannot).
import { describe, expect, it } from 'vitest';
import { announceSkip, availableFlavours, createTestSandbox, implementations, type SandboxImplementation } from '../fixtures/sandbox/harness.js';
import { describeSandboxConformance, type SandboxFactory } from '../fixtures/sandbox/conformance.js';

const { available, reasons } = await availableFlavours();

/** One implementation forced onto one cgroup flavour; the capabilities must report both as given. */
const sandboxWith = (implementation: SandboxImplementation, flavour: 'v1' | 'v2' | 'none'): SandboxFactory => async () => {
  const t = await createTestSandbox(flavour, { implementation });
  expect(t.sandbox.capabilities).toMatchObject({ implementation, cgroups: flavour });
  return { ...t, uids: { base: t.options.uidBase, count: t.options.uidCount } };
};

/** RUNLANE_TEST_SANDBOX_FLAVOURS (e.g. `v2` in the cgroup v2 VM) narrows the run to the flavours named. */
const asked = process.env.RUNLANE_TEST_SANDBOX_FLAVOURS?.split(',').map((name) => name.trim());
const { chosen, left } = implementations();

/** A loud skip that still shows up in the test report. */
function skipped(name: string, why: string): void {
  announceSkip(`sandbox conformance suite for ${name}`, why);
  describe(`when the sandbox is ${name}`, () => {
    it.skip(`should conform (SKIPPED: ${why})`, () => undefined);
  });
}

for (const implementation of chosen) {
  for (const flavour of ['v2', 'v1', 'none'] as const) {
    const name = `${implementation} with cgroups ${flavour}`;
    if (asked && !asked.includes(flavour)) skipped(name, `RUNLANE_TEST_SANDBOX_FLAVOURS=${asked.join(',')} leaves ${flavour} out`);
    else if (available.includes(flavour)) describeSandboxConformance(name, sandboxWith(implementation, flavour));
    else skipped(name, `this host has no usable cgroup ${flavour}: ${reasons[flavour] || 'not offered by this host'}`);
  }
}
for (const { implementation, why } of left) skipped(`${implementation} (every cgroup flavour)`, why);
