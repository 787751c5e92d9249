// The Redis side of queue tests: deleting every key a test's queue prefix left behind.
import type { Redis } from 'ioredis';

/** Deletes every key of the queue under `prefix` (`runlane:<prefix>:*`), scanning rather than blocking Redis with KEYS. */
export async function deleteQueueKeys(admin: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `runlane:${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
}
