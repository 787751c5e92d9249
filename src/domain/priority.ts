// Priority of a submission: `submit` (graded) runs before `run` (try-out); roles add a boost.

import { ROLES, rolePriorityBoost, type Role } from './identity.js';

export const PRIORITY_KINDS = ['run', 'submit'] as const;

export type PriorityKind = (typeof PRIORITY_KINDS)[number];

const BASE: Readonly<Record<PriorityKind, number>> = { run: 1, submit: 2 };

/** Numeric priority used by the scheduler; higher runs first, FIFO within equal values. */
export function effectivePriority(kind: PriorityKind, role: Role): number {
  return BASE[kind] + rolePriorityBoost(role);
}

/** A priority as clients read it: the kind asked for, and the role that raised it (null when none did). */
export interface PriorityLabel {
  kind: PriorityKind;
  boostedBy: Role | null;
}

/** Roles that raise a priority, largest boost first, so the decoding below finds the one that was added. */
const BOOSTING_ROLES = ROLES.filter((role) => rolePriorityBoost(role) > 0).sort((a, b) => rolePriorityBoost(b) - rolePriorityBoost(a));

/**
 * The kind and boosting role behind a numeric priority: the inverse of `effectivePriority` (boosts are far larger than the
 * gap between kinds, so the sum decodes uniquely). A number no kind produces (an interactive run's 0) reads as `run`.
 */
export function describePriority(priority: number): PriorityLabel {
  const boostedBy = BOOSTING_ROLES.find((role) => priority - rolePriorityBoost(role) >= BASE.run) ?? null;
  const base = priority - (boostedBy === null ? 0 : rolePriorityBoost(boostedBy));
  return { kind: base >= BASE.submit ? 'submit' : 'run', boostedBy };
}
