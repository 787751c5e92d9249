// Where the tests find the real Redis and PostgreSQL (scripts/test-services.sh makes sure both are up with these defaults).

/** The Redis the queue tests use; keys live under a unique prefix per test and are deleted afterwards. */
export const TEST_REDIS_URL = process.env.RUNLANE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The PostgreSQL database the store tests use; each store gets a schema of its own, dropped afterwards. */
export const TEST_POSTGRES_URL = process.env.RUNLANE_TEST_POSTGRES_URL ?? 'postgres://runlane:runlane@127.0.0.1:5432/runlane_test';
