// Runs the sandbox conformance suite once for every cgroup flavour this host offers; says loudly which ones it cannot.
import { describe, it } from 'vitest';
import { announceSkip, availableFlavours } from '../fixtures/sandbox/harness.js';
import { describeSandboxConformance } from '../fixtures/sandbox/conformance.js';

const { available, reasons } = await availableFlavours();

for (const flavour of ['v2', 'v1', 'none'] as const) {
  if (available.includes(flavour)) {
    describeSandboxConformance(flavour);
  } else {
    announceSkip(`sandbox conformance suite for cgroup ${flavour}`, reasons[flavour] || 'not offered by this host');
    describe(`when the sandbox runs with cgroups ${flavour}`, () => {
      it.skip(`should conform (SKIPPED: this host has no usable cgroup ${flavour}: ${reasons[flavour]})`, () => undefined);
    });
  }
}
