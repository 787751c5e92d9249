// Resource limits of one sandboxed run: the one table of limit fields, and how requested limits are merged and checked.

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

/** The name of one limit field. */
export type LimitKey = keyof ResourceLimits;

/** The configured limit sets: what a run gets by default, what a compile gets, and the most a request may ask for. */
export type LimitSet = 'run' | 'compile' | 'max';

/** One limit field: everything the config, the request schemas and the sandbox need to know about it. */
export interface LimitField {
  name: LimitKey;
  /** Unit of the value, as written in descriptions. */
  unit: 'ms' | 'MiB' | 'bytes' | 'count';
  /** Smallest value accepted anywhere (config or request). */
  min: number;
  /** What the limit bounds, in a few words. */
  description: string;
  /** Default of each configured set (`limits.run`, `limits.compile`, `limits.max`). */
  defaults: Record<LimitSet, number>;
}

const MiB = 1024 * 1024;

/** Every limit field, once; the config schema, the REST and socket schemas and the engine's stage limits derive from it. */
export const LIMIT_FIELDS: readonly LimitField[] = [
  { name: 'cpuTimeMs', unit: 'ms', min: 1, description: 'CPU time of all processes', defaults: { run: 5_000, compile: 20_000, max: 30_000 } },
  { name: 'wallTimeMs', unit: 'ms', min: 1, description: 'Wall-clock time', defaults: { run: 10_000, compile: 30_000, max: 60_000 } },
  { name: 'memoryMb', unit: 'MiB', min: 1, description: 'Memory (cgroup)', defaults: { run: 256, compile: 1024, max: 2048 } },
  { name: 'processes', unit: 'count', min: 1, description: 'Processes and threads alive at once (pids.max)', defaults: { run: 64, compile: 128, max: 256 } },
  { name: 'outputBytes', unit: 'bytes', min: 1, description: 'stdout + stderr', defaults: { run: 10_000_000, compile: 1_000_000, max: 64_000_000 } },
  { name: 'fileSizeBytes', unit: 'bytes', min: 1, description: 'Largest file the program may write', defaults: { run: 16 * MiB, compile: 128 * MiB, max: 256 * MiB } },
  { name: 'workDirMb', unit: 'MiB', min: 1, description: 'Size of the private work dir and /tmp', defaults: { run: 64, compile: 512, max: 1024 } },
  { name: 'openFiles', unit: 'count', min: 1, description: 'Open file descriptors', defaults: { run: 256, compile: 512, max: 1024 } },
  { name: 'stackMb', unit: 'MiB', min: 1, description: 'Stack size', defaults: { run: 64, compile: 64, max: 256 } },
];

/** The limit field names, in table order. */
export const LIMIT_KEYS: readonly LimitKey[] = LIMIT_FIELDS.map((field) => field.name);

/** `description, unit` as schemas and docs show it (no unit for plain counts). */
export function describeLimit(field: LimitField): string {
  return field.unit === 'count' ? field.description : `${field.description}, ${field.unit}`;
}

/** One value per limit field, built from its table row. */
export function perLimit<T>(make: (field: LimitField) => T): Record<LimitKey, T> {
  return Object.fromEntries(LIMIT_FIELDS.map((field) => [field.name, make(field)])) as Record<LimitKey, T>;
}

/** The defaults of one configured set, straight from the table. */
export function defaultLimits(set: LimitSet): ResourceLimits {
  return perLimit((field) => field.defaults[set]);
}

/** A limit that exceeds its configured maximum. */
export interface LimitViolation {
  key: LimitKey;
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

/** Each given limit lowered to its maximum: a language may raise a default, but never above what the operator allows. */
export function capLimits<T extends Partial<ResourceLimits>>(limits: T, maxima: ResourceLimits): T {
  const capped = { ...limits };
  for (const key of LIMIT_KEYS) {
    const value = limits[key];
    if (value !== undefined) capped[key] = Math.min(value, maxima[key]) as T[LimitKey];
  }
  return capped;
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
