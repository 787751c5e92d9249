// The PostgreSQL the integration tests use: its URL, a fresh schema per store, every schema dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { TEST_POSTGRES_URL } from './services.js';

/** The test database (RUNLANE_TEST_POSTGRES_URL; scripts/test-services.sh makes the default role and database). */
export const POSTGRES_TEST_URL = TEST_POSTGRES_URL;

/**
 * RUNLANE_TEST_POSTGRES=skip skips the PostgreSQL tests (and says so loudly). Without it an unreachable server fails
 * them: CI must not pass green on a store it never exercised.
 */
export const SKIP_POSTGRES = process.env.RUNLANE_TEST_POSTGRES === 'skip';

if (SKIP_POSTGRES) {
  console.warn('\n!!! RUNLANE_TEST_POSTGRES=skip: the PostgreSQL store tests are SKIPPED; nothing here checked PostgreSQL. !!!\n');
}

/** Schemas made by {@link uniqueSchema}, to drop in `dropSchemas`. */
const created = new Set<string>();

/** A schema name no other test or run uses (`rl_test_<random>`); remembered so that `dropSchemas` removes it. */
export function uniqueSchema(): string {
  const schema = `rl_test_${randomBytes(6).toString('hex')}`;
  created.add(schema);
  return schema;
}

/** `POSTGRES_TEST_URL` with `?schema=` set, as `runlane serve --database` takes it. */
export function urlWithSchema(schema: string): string {
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** Drops every schema this process made, with its tables. */
export async function dropSchemas(): Promise<void> {
  if (created.size === 0) return;
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  try {
    await client.connect();
  } catch (error) {
    // The tests that needed the server have failed already, saying why; nothing was created to drop.
    console.warn(`cannot drop the test schemas: ${(error as Error).message}`);
    return;
  }
  try {
    for (const schema of created) await client.query(`drop schema if exists "${schema}" cascade`);
    created.clear();
  } finally {
    await client.end();
  }
}

/** Runs one query on the test database (outside any store), for checks a test makes behind the store's back. */
export async function queryTestDatabase<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
