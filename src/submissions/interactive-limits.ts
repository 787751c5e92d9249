// Interactive runs have their own time limits: a person types slowly, so wall and CPU time come from `limits.interactive`.
import type { Config } from '../config/index.js';
import type { ResourceLimits } from '../domain/limits.js';
import type { RequestCaps } from './request-checks.js';

/** The `limits.interactive` section of the config: defaults and maxima of an interactive run's times. */
export type InteractiveLimitSettings = Config['limits']['interactive'];

/** The time limits the interactive settings replace; every other limit is the batch one. */
const INTERACTIVE_TIME_KEYS = ['wallTimeMs', 'cpuTimeMs'] as const satisfies readonly (keyof ResourceLimits)[];

/** The requested limits with the interactive defaults under them, so a run that asks for nothing gets minutes, not the batch seconds. */
export function withInteractiveDefaults(requested: Partial<ResourceLimits>, settings: InteractiveLimitSettings): Partial<ResourceLimits> {
  const filled: Partial<ResourceLimits> = { ...requested };
  for (const key of INTERACTIVE_TIME_KEYS) filled[key] ??= settings.defaults[key];
  return filled;
}

/** The caps an interactive request is checked against: the batch ones, with the interactive maxima for its times. */
export function interactiveCaps(caps: RequestCaps): RequestCaps {
  const max = { ...caps.max };
  for (const key of INTERACTIVE_TIME_KEYS) max[key] = caps.interactive.max[key];
  return { ...caps, max };
}
