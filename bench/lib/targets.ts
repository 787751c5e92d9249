// Turns a figure measured in every repeat into a target row: min/median/max over the repeats, judged on the median.
import type { TargetFigure } from './types.js';
import { spread } from './stats.js';

/** A goal: the median must be at most or at least this value; none = reported only. */
export type Goal = { atMost: number } | { atLeast: number } | null;

export function targetFigure(figure: string, variant: string, unit: string, perRepeat: readonly number[], goal: Goal): TargetFigure {
  const { min, median, max } = spread(perRepeat);
  const suffix = unit === '×' ? '×' : ` ${unit}`;
  if (goal === null) return { figure, variant, unit, min, median, max, repeats: perRepeat.length, goal: 'reported', met: null };
  const met = 'atMost' in goal ? median <= goal.atMost : median >= goal.atLeast;
  const written = 'atMost' in goal ? `≤ ${goal.atMost}${suffix}` : `≥ ${goal.atLeast}${suffix}`;
  return { figure, variant, unit, min, median, max, repeats: perRepeat.length, goal: written, met };
}
