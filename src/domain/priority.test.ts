// Priorities read back as the kind and role that made them.
import { describe, expect, it } from 'vitest';
import { ROLES } from './identity.js';
import { PRIORITY_KINDS, describePriority, effectivePriority } from './priority.js';

describe('describePriority', () => {
  it('should give back the kind and boosting role of every kind and role', () => {
    for (const kind of PRIORITY_KINDS) {
      for (const role of ROLES) {
        const boostedBy = role === 'teacher' || role === 'admin' ? role : null;
        expect(describePriority(effectivePriority(kind, role)), `${kind} ${role}`).toEqual({ kind, boostedBy });
      }
    }
  });

  it('should read a priority no kind produces (an interactive run) as an unboosted run', () => {
    expect(describePriority(0)).toEqual({ kind: 'run', boostedBy: null });
  });
});
