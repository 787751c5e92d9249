// Runs the sandbox conformance suite against every implementation: bwrap with each cgroup flavour this host offers (says loudly which it cannot).
import { describe, expect, it } from 'vitest';
import { announceSkip, availableFlavours, createTestSandbox } from '../fixtures/sandbox/harness.js';
import { describeSandboxConformance, type SandboxFactory } from '../fixtures/sandbox/conformance.js';

const { available, reasons } = await availableFlavours();

/** bwrap forced onto one cgroup flavour; the capabilities must report the flavour it was given. */
const bwrapWith = (flavour: 'v1' | 'v2' | 'none'): SandboxFactory => async () => {
  const t = await createTestSandbox(flavour);
  expect(t.sandbox.capabilities).toMatchObject({ cgroups: flavour });
  return { ...t, uids: { base: t.options.uidBase, count: t.options.uidCount } };
};

/** RUNLANE_TEST_SANDBOX_FLAVOURS (e.g. `v2` in the cgroup v2 VM) narrows the run to the flavours named. */
const asked = process.env.RUNLANE_TEST_SANDBOX_FLAVOURS?.split(',').map((name) => name.trim());

for (const flavour of ['v2', 'v1', 'none'] as const) {
  const name = `bwrap with cgroups ${flavour}`;
  if (asked && !asked.includes(flavour)) {
    announceSkip(`sandbox conformance suite for ${name}`, `RUNLANE_TEST_SANDBOX_FLAVOURS=${asked.join(',')} leaves it out`);
    describe(`when the sandbox is ${name}`, () => {
      it.skip(`should conform (SKIPPED: RUNLANE_TEST_SANDBOX_FLAVOURS leaves ${flavour} out)`, () => undefined);
    });
  } else if (available.includes(flavour)) {
    describeSandboxConformance(name, bwrapWith(flavour));
  } else {
    announceSkip(`sandbox conformance suite for ${name}`, reasons[flavour] || 'not offered by this host');
    describe(`when the sandbox is ${name}`, () => {
      it.skip(`should conform (SKIPPED: this host has no usable cgroup ${flavour}: ${reasons[flavour]})`, () => undefined);
    });
  }
}
