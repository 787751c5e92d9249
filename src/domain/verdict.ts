// Verdicts: the outcome of a user's program, kept apart from the job's lifecycle status.

/** Every verdict the engine can give. Only `internal_error` is a fault of the service. */
export const VERDICTS = [
  'accepted',
  'wrong_answer',
  'compilation_error',
  'runtime_error',
  'time_limit_exceeded',
  'memory_limit_exceeded',
  'output_limit_exceeded',
  'internal_error',
] as const;

export type Verdict = (typeof VERDICTS)[number];

/**
 * Severity order used to fold per-test-case verdicts into one overall verdict:
 * the first failing case decides, but a service fault always wins so it is never hidden.
 */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'accepted';
  if (verdicts.includes('internal_error')) return 'internal_error';
  return verdicts.find((verdict) => verdict !== 'accepted') ?? 'accepted';
}
