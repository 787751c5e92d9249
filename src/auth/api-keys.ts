// Static API keys from the configuration, each mapped to a user; compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Identity } from '../domain/identity.js';

/** One configured key (the `auth.apiKeys[]` entry). */
export interface ApiKeyEntry {
  key: string;
  userId: string;
  displayName: string;
  avatar?: string | null;
  role?: 'user' | 'teacher' | 'admin';
}

/** Looks tokens up among the configured API keys without leaking through timing which key came close. */
export class ApiKeyTable {
  private readonly entries: { digest: Buffer; identity: Identity }[];

  constructor(keys: readonly ApiKeyEntry[]) {
    this.entries = keys.map((entry) => ({
      digest: digest(entry.key),
      identity: { userId: entry.userId, displayName: entry.displayName, avatar: entry.avatar ?? null, role: entry.role ?? 'user', keyId: keyIdOf(entry.key) },
    }));
  }

  /** The identity of the key, or null when the token is not a configured key. */
  lookup(token: string): Identity | null {
    // Hashing first gives equal-length buffers, so timingSafeEqual never throws and every key is compared in full.
    const candidate = digest(token);
    let found: Identity | null = null;
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, candidate)) found = entry.identity;
    return found ? { ...found } : null;
  }
}

/** Names a key in caps and logs without revealing it: a prefix of its digest. */
export function keyIdOf(key: string): string {
  return `key:${digest(key).subarray(0, 8).toString('hex')}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
