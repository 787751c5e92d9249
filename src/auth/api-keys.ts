// Static API keys from the configuration, each mapped to a user (or a service); compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isReservedUserId, type ActAsRole, type Identity } from '../domain/identity.js';

/** A credential's own request budget, instead of the global `rateLimit` section. */
export interface KeyRateLimit {
  maxRequests: number;
  /** @defaultValue the global `rateLimit.windowMs` */
  windowMs?: number | undefined;
}

/** One configured key (the `auth.apiKeys[]` entry). */
export interface ApiKeyEntry {
  key: string;
  userId: string;
  displayName: string;
  avatar?: string | null | undefined;
  /** `service` may act for end users (`actAs`). @defaultValue 'user' */
  role?: 'user' | 'teacher' | 'admin' | 'service' | undefined;
  /** Service keys: the highest role `actAs` may give. @defaultValue 'user' */
  maxActAsRole?: ActAsRole | undefined;
  /** @defaultValue the global rate limit, in a bucket of this key's own */
  rateLimit?: KeyRateLimit | undefined;
}

/** An API key's identity plus what the HTTP layer needs to budget it. */
export interface KeyIdentity extends Identity {
  keyId: string;
}

/** Looks tokens up among the configured API keys without leaking through timing which key came close. */
export class ApiKeyTable {
  private readonly entries: { digest: Buffer; identity: KeyIdentity }[];
  private readonly rateLimits = new Map<string, KeyRateLimit>();

  constructor(keys: readonly ApiKeyEntry[]) {
    this.entries = keys.map((entry) => {
      // The schema refuses these too; checked here as well because ids under these prefixes belong to other people.
      if (isReservedUserId(entry.userId)) throw new Error(`API key user ids may not start with \`anon:\` or \`svc:\` (got ${entry.userId})`);
      const keyId = keyIdOf(entry.key);
      if (entry.rateLimit) this.rateLimits.set(keyId, entry.rateLimit);
      const role = entry.role ?? 'user';
      return {
        digest: digest(entry.key),
        identity: {
          userId: entry.userId,
          displayName: entry.displayName,
          avatar: entry.avatar ?? null,
          role,
          keyId,
          ...(role === 'service' ? { maxActAsRole: entry.maxActAsRole ?? 'user' } : {}),
        },
      };
    });
  }

  /** The identity of the key, or null when the token is not a configured key. */
  lookup(token: string): KeyIdentity | null {
    // Hashing first gives equal-length buffers, so timingSafeEqual never throws and every key is compared in full.
    const candidate = digest(token);
    let found: KeyIdentity | null = null;
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, candidate)) found = entry.identity;
    return found ? { ...found } : null;
  }

  /** The key's own rate limit, or undefined when it uses the global one. */
  rateLimitOf(keyId: string): KeyRateLimit | undefined {
    return this.rateLimits.get(keyId);
  }
}

/** Names a key in caps and logs without revealing it: a prefix of its digest. */
export function keyIdOf(key: string): string {
  return `key:${digest(key).subarray(0, 8).toString('hex')}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
