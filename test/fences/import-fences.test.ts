// Proves every import fence fires: each rule of .dependency-cruiser.cjs fails on a planted import and the clean fixture passes.
import { describe, expect, it } from 'vitest';
import { FENCE_CASES } from './fence-cases.js';
import { cruiseFixture, RULE_NAMES } from './fence-cruiser.js';

describe('import fences', () => {
  describe('when the fixture tree follows the table', () => {
    it('should report no violation', async () => {
      expect(await cruiseFixture()).toEqual([]);
    });
  });

  it('should have a planted violation for every rule', () => {
    const covered = new Set(FENCE_CASES.flatMap((fenceCase) => fenceCase.rules));
    expect(RULE_NAMES.filter((rule) => !covered.has(rule))).toEqual([]);
  });

  describe.each(FENCE_CASES)('when $title', ({ files, rules }) => {
    it(`should fail naming ${rules.join(' and ')}`, async () => {
      const violations = await cruiseFixture(files);
      expect([...new Set(violations.map((violation) => violation.rule))].sort()).toEqual([...rules].sort());
      // Only the planted files break a rule: the violation is the planted import, not a side effect elsewhere.
      for (const violation of violations) expect(Object.keys(files)).toContain(violation.from);
    });
  });
});
