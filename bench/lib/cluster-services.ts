// The Redis and PostgreSQL the cluster scenarios use, a unique queue prefix and schema per run, and their clean-up.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** RUNLANE_BENCH_REDIS_URL, else the local default. */
export const BENCH_REDIS_URL = process.env.RUNLANE_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** RUNLANE_BENCH_DATABASE_URL, else the local test database. */
export const BENCH_DATABASE_URL = process.env.RUNLANE_BENCH_DATABASE_URL ?? 'postgres://runlane:runlane@127.0.0.1:5432/runlane_test';

/** A queue prefix no other run uses. */
export function uniquePrefix(): string {
  return `bench-${randomBytes(6).toString('hex')}`;
}

/** A schema name no other run uses, and the database URL that selects it. */
export function uniqueSchema(): { schema: string; url: string } {
  const schema = `rl_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(BENCH_DATABASE_URL);
  url.searchParams.set('schema', schema);
  return { schema, url: url.toString() };
}

/** A plain connection for measurements and clean-up (not the queue's). */
export function adminRedis(): Redis {
  return new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1, connectionName: 'runlane-bench-admin' });
}

/** Redis `used_memory`, bytes. */
export async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match) throw new Error('INFO memory has no used_memory line');
  return Number(match[1]);
}

/** Deletes every key under `runlane:<prefix>:`, scanning rather than blocking Redis with KEYS. */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `runlane:${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Drops the schemas a run made, with their tables. */
export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
