// Works out the limits of each stage: configured defaults, the language's needs, the request, then runtime overhead.
import { capLimits, mergeLimits, type ResourceLimits } from '../domain/limits.js';
import type { LanguageDefinition } from '../languages/language.js';

/** The configured limit sets the engine works from (the `limits` section of the config). */
export interface LimitSettings {
  run: ResourceLimits;
  compile: ResourceLimits;
  max: ResourceLimits;
}

/** Limits of one stage: what the program is told it has, and what the sandbox enforces. */
export interface StageLimits {
  /** What the program gets; reported back and used in verdict messages and `{memoryMb}`. */
  program: ResourceLimits;
  /** Handed to the sandbox: `program` plus the language runtime's memory overhead. */
  sandbox: ResourceLimits;
}

/** Run stage: configured run defaults < the language's defaults (capped at the maxima) < the request (already validated). */
export function runStageLimits(settings: LimitSettings, language: LanguageDefinition, requested: Partial<ResourceLimits>): StageLimits {
  return withOverhead(mergeLimits(settings.run, language.runLimits && capLimits(language.runLimits, settings.max), requested), language);
}

/** Compile stage: its own, more generous, configured limits < the language's compile needs. A request never changes them. */
export function compileStageLimits(settings: LimitSettings, language: LanguageDefinition): StageLimits {
  return withOverhead(mergeLimits(settings.compile, language.compileLimits), language);
}

function withOverhead(program: ResourceLimits, language: LanguageDefinition): StageLimits {
  return { program, sandbox: { ...program, memoryMb: program.memoryMb + (language.memoryOverheadMb ?? 0) } };
}
