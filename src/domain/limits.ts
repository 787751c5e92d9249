// Resource limits of one sandboxed run, and how requested limits are merged and checked against maxima.

/** Limits applied to one process tree in the sandbox. Times in milliseconds, sizes as named. */
export interface ResourceLimits {
  /** Total CPU time of every process in the run (cgroup accounting). */
  cpuTimeMs: number;
  /** Wall-clock time from start to exit. */
  wallTimeMs: number;
  /** Memory of the whole run (cgroup), in MiB. */
  memoryMb: number;
  /** Processes and threads alive at once (pids controller). */
  processes: number;
  /** Bytes of stdout plus stderr, enforced while streaming. */
  outputBytes: number;
  /** Largest file the program may write (RLIMIT_FSIZE), in bytes. */
  fileSizeBytes: number;
  /** Size of the private writable work dir (and /tmp), in MiB. */
  workDirMb: number;
  /** Open file descriptors (RLIMIT_NOFILE). */
  openFiles: number;
  /** Stack size (RLIMIT_STACK), in MiB. */
  stackMb: number;
}

export const LIMIT_KEYS = [
  'cpuTimeMs',
  'wallTimeMs',
  'memoryMb',
  'processes',
  'outputBytes',
  'fileSizeBytes',
  'workDirMb',
  'openFiles',
  'stackMb',
] as const satisfies readonly (keyof ResourceLimits)[];

/** A limit that exceeds its configured maximum. */
export interface LimitViolation {
  key: keyof ResourceLimits;
  requested: number;
  maximum: number;
}

/** Layers requested limits over defaults, key by key; undefined keys keep the default. */
export function mergeLimits(defaults: ResourceLimits, ...overrides: (Partial<ResourceLimits> | undefined)[]): ResourceLimits {
  const merged: ResourceLimits = { ...defaults };
  for (const override of overrides) {
    if (!override) continue;
    for (const key of LIMIT_KEYS) {
      const value = override[key];
      if (value !== undefined) merged[key] = value;
    }
  }
  return merged;
}

/** Lists every requested limit above its maximum; limits are rejected, never silently clamped. */
export function findLimitViolations(requested: Partial<ResourceLimits>, maxima: ResourceLimits): LimitViolation[] {
  const violations: LimitViolation[] = [];
  for (const key of LIMIT_KEYS) {
    const value = requested[key];
    if (value !== undefined && value > maxima[key]) violations.push({ key, requested: value, maximum: maxima[key] });
  }
  return violations;
}
