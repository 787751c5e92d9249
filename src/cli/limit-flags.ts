// `runlane run --time/--wall/--memory`: checked against the configured maxima and named by their flag, then turned into config overrides.
import type { ResourceLimits } from '../domain/limits.js';
import { CliUsageError } from './cli-usage-error.js';
import type { RunFlags } from './run-request.js';

/** The maxima a flag may reach (`limits.max`). */
export type FlagMaxima = Pick<ResourceLimits, 'cpuTimeMs' | 'wallTimeMs' | 'memoryMb'>;

/**
 * Flags that change limits, as config overrides (`limits.run.cpuTimeMs` …). Each is checked here first, so a value out of
 * range is reported with the flag the user typed and the range allowed, not with an internal config key.
 */
export function limitFlags(flags: RunFlags, max: FlagMaxima): Record<string, number> {
  const overrides: Record<string, number> = {};
  if (flags.time !== undefined) {
    const cpuTimeMs = seconds(flags.time, '--time', max.cpuTimeMs);
    overrides['limits.run.cpuTimeMs'] = cpuTimeMs;
    // A program that sleeps must not outlive a short CPU limit by the default wall time: wall follows CPU unless given.
    if (flags.wall === undefined) overrides['limits.run.wallTimeMs'] = Math.min(max.wallTimeMs, 2 * cpuTimeMs + 1000);
  }
  if (flags.wall !== undefined) overrides['limits.run.wallTimeMs'] = seconds(flags.wall, '--wall', max.wallTimeMs);
  if (flags.memory !== undefined) overrides['limits.run.memoryMb'] = mebibytes(flags.memory, '--memory', max.memoryMb);
  return overrides;
}

/** Seconds (fractions allowed, down to one millisecond) as milliseconds, within 1 ms … maxMs. */
function seconds(text: string, flag: string, maxMs: number): number {
  const value = Number(text.trim() === '' ? Number.NaN : text);
  const ms = Math.round(value * 1000);
  if (!Number.isFinite(value) || ms < 1 || ms > maxMs) {
    throw new CliUsageError(`${flag} must be a number of seconds from 0.001 to ${maxMs / 1000} (got ${JSON.stringify(text)})`);
  }
  return ms;
}

/** Whole MiB within 1 … max. */
function mebibytes(text: string, flag: string, max: number): number {
  const value = Number(text.trim() === '' ? Number.NaN : text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new CliUsageError(`${flag} must be a whole number of MiB from 1 to ${max} (got ${JSON.stringify(text)})`);
  }
  return value;
}
