// Environment variables understood by the loader: the seeds' names plus RUNLANE_<SECTION>__<KEY> for every key.

/** Seed-compatible names mapped to config paths. Values are strings; the loader converts them. */
export const NAMED_ENV: Readonly<Record<string, string>> = {
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
  EXECUTOR_MAX_EXECUTION_TIME: 'limits.run.wallTimeMs',
  MAX_MEMORY_PER_EXECUTION: 'limits.run.memoryMb',
  RATE_LIMIT_MAX_REQUESTS: 'rateLimit.maxRequests',
  RATE_LIMIT_WINDOW_MS: 'rateLimit.windowMs',
};

/** `RUNLANE_SCHEDULER__MAX_CONCURRENT` → `scheduler.maxConcurrent`. */
export function envNameToPath(name: string): string | null {
  if (!name.startsWith('RUNLANE_') || name === 'RUNLANE_CONFIG') return null;
  return name
    .slice('RUNLANE_'.length)
    .split('__')
    .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase()))
    .join('.');
}

/** Collects config overrides from an environment as `path → { variable name, raw string }`. */
export function overridesFromEnv(env: NodeJS.ProcessEnv): Map<string, { name: string; value: string }> {
  const overrides = new Map<string, { name: string; value: string }>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    const path = NAMED_ENV[name] ?? envNameToPath(name);
    if (path) overrides.set(path, { name, value });
  }
  return overrides;
}
