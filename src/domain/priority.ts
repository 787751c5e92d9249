// Priority of a submission: `submit` (graded) runs before `run` (try-out); roles add a boost.

import { rolePriorityBoost, type Role } from './identity.js';

export const PRIORITY_KINDS = ['run', 'submit'] as const;

export type PriorityKind = (typeof PRIORITY_KINDS)[number];

const BASE: Readonly<Record<PriorityKind, number>> = { run: 1, submit: 2 };

/** Numeric priority used by the scheduler; higher runs first, FIFO within equal values. */
export function effectivePriority(kind: PriorityKind, role: Role): number {
  return BASE[kind] + rolePriorityBoost(role);
}
