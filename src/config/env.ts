// Environment variables understood by the loader: the seeds' names plus RUNLANE_<SECTION>__<KEY> for every key.
import { AppError, CONFIG_ERRORS } from '../errors/index.js';

/**
 * Seed-compatible names mapped to config paths. Values are strings; the loader converts them. A name may set several
 * keys: seed 000's `EXECUTOR_MAX_EXECUTION_TIME` is the one timeout its users know, so it must stop a CPU-bound loop at
 * that time too, not only a sleeping one.
 */
export const NAMED_ENV: Readonly<Record<string, string | readonly string[]>> = {
  PORT: 'server.port',
  HOST: 'server.host',
  DATABASE_URL: 'database.url',
  REDIS_URL: 'redis.url',
  JWT_SECRET: 'auth.jwtSecret',
  JWT_PUBLIC_KEY: 'auth.jwtPublicKey',
  JWKS_URL: 'auth.jwksUrl',
  JWT_ISSUER: 'auth.jwtIssuer',
  JWT_AUDIENCE: 'auth.jwtAudience',
  LOG_LEVEL: 'log.level',
  MAX_CONCURRENT_EXECUTIONS: 'scheduler.maxConcurrent',
  // Seed 002's names for the same global running cap and for how many test cases run at once.
  MAX_CONCURRENT_SUBMISSIONS: 'scheduler.maxConcurrent',
  BATCH_SIZE: 'scheduler.testCaseBatchSize',
  EXECUTOR_MAX_EXECUTION_TIME: ['limits.run.wallTimeMs', 'limits.run.cpuTimeMs'],
  MAX_MEMORY_PER_EXECUTION: 'limits.run.memoryMb',
  RATE_LIMIT_MAX_REQUESTS: 'rateLimit.maxRequests',
  RATE_LIMIT_WINDOW_MS: 'rateLimit.windowMs',
};

/** Seed 004's Redis address, combined into `redis.url`; each part defaults as the seed's own client did. */
const REDIS_PARTS = { host: 'REDIS_HOST', port: 'REDIS_PORT' } as const;
const REDIS_DEFAULTS = { host: 'localhost', port: '6379' } as const;

/** The seed names that set `path`, for the docs (`REDIS_HOST` and `REDIS_PORT` together make `redis.url`). */
export function seedEnvNames(path: string): string[] {
  const names = Object.entries(NAMED_ENV)
    .filter(([, target]) => (typeof target === 'string' ? target === path : target.includes(path)))
    .map(([name]) => name);
  return path === 'redis.url' ? [...names, REDIS_PARTS.host, REDIS_PARTS.port] : names;
}

/** `RUNLANE_SCHEDULER__MAX_CONCURRENT` → `scheduler.maxConcurrent`. */
export function envNameToPath(name: string): string | null {
  if (!name.startsWith('RUNLANE_') || name === 'RUNLANE_CONFIG') return null;
  return name
    .slice('RUNLANE_'.length)
    .split('__')
    .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()))
    .join('.');
}

/** One config key set from the environment: the variable (or variables) that set it and the raw string. */
export interface EnvOverride {
  name: string;
  value: string;
}

/**
 * Collects config overrides from an environment as `path → { variable name, raw string }`. Two variables that set one key
 * to different values are refused, naming both: which one wins would otherwise depend on the order of the environment.
 */
export function overridesFromEnv(env: NodeJS.ProcessEnv): Map<string, EnvOverride> {
  const overrides = new Map<string, EnvOverride>();
  const set = (path: string, override: EnvOverride) => {
    const earlier = overrides.get(path);
    if (earlier && earlier.value !== override.value) {
      throw new AppError(
        CONFIG_ERRORS.invalid,
        `invalid configuration: ${path} is set by both environment variable ${earlier.name} and ${override.name}, to different values; set only one of them`,
        { details: { key: path, variables: [earlier.name, override.name] } },
      );
    }
    overrides.set(path, earlier ?? override);
  };
  // Sorted, so the error for a conflict names the variables in the same order on every start.
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (value === undefined || value === '') continue;
    const named = NAMED_ENV[name];
    const paths = named === undefined ? [envNameToPath(name)].filter((path) => path !== null) : typeof named === 'string' ? [named] : named;
    for (const path of paths) set(path, { name, value });
  }
  const redis = redisUrlFromParts(env);
  if (redis) set('redis.url', redis);
  return overrides;
}

/** `REDIS_HOST` / `REDIS_PORT` as a `redis://host:port` URL, or null when neither is set. */
function redisUrlFromParts(env: NodeJS.ProcessEnv): EnvOverride | null {
  const host = env[REDIS_PARTS.host] || undefined;
  const port = env[REDIS_PARTS.port] || undefined;
  if (host === undefined && port === undefined) return null;
  const name = [host === undefined ? null : REDIS_PARTS.host, port === undefined ? null : REDIS_PARTS.port].filter(Boolean).join(' and ');
  const portNumber = Number(port ?? REDIS_DEFAULTS.port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65_535) {
    throw new AppError(CONFIG_ERRORS.invalid, `invalid configuration: redis.url from environment variable ${REDIS_PARTS.port}: must be a port number from 1 to 65535 (got ${JSON.stringify(port)})`, {
      details: { key: 'redis.url' },
    });
  }
  const hostPart = host ?? REDIS_DEFAULTS.host;
  // An IPv6 address needs brackets in a URL.
  const shownHost = hostPart.includes(':') && !hostPart.startsWith('[') ? `[${hostPart}]` : hostPart;
  return { name, value: `redis://${shownHost}:${portNumber}` };
}
