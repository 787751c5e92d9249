// API keys give their user plus a key id that the scheduler caps on, and that never reveals the key.
import { describe, expect, it } from 'vitest';
import { ApiKeyTable, keyIdOf } from './api-keys.js';

const FIRST = 'first-key-0123456789abcdef';
const SECOND = 'second-key-0123456789abcdef';

describe('ApiKeyTable', () => {
  const table = new ApiKeyTable([
    { key: FIRST, userId: 'backend', displayName: 'Backend' },
    { key: SECOND, userId: 'backend', displayName: 'Backend' },
  ]);

  describe('when a configured key is looked up', () => {
    it('should give the key id with the user', () => {
      expect(table.lookup(FIRST)).toEqual({ userId: 'backend', displayName: 'Backend', avatar: null, role: 'user', keyId: keyIdOf(FIRST) });
    });

    it('should tell two keys of one user apart, the same key the same way every time', () => {
      expect(table.lookup(FIRST)?.keyId).not.toBe(table.lookup(SECOND)?.keyId);
      expect(new ApiKeyTable([{ key: FIRST, userId: 'other', displayName: 'Other' }]).lookup(FIRST)?.keyId).toBe(keyIdOf(FIRST));
    });

    it('should not contain the key or a part of it', () => {
      const keyId = keyIdOf(FIRST);
      expect(keyId).toMatch(/^key:[0-9a-f]{16}$/);
      for (let start = 0; start + 6 <= FIRST.length; start += 1) expect(keyId).not.toContain(FIRST.slice(start, start + 6));
    });
  });

  describe('when the token is not a configured key', () => {
    it('should give null', () => {
      expect(table.lookup('not-a-key-0123456789')).toBeNull();
    });
  });

  describe('when a key is a service', () => {
    it('should carry its actAs ceiling (user unless set) and its own rate limit', () => {
      const services = new ApiKeyTable([
        { key: FIRST, userId: 'svc-backend', displayName: 'Backend', role: 'service', rateLimit: { maxRequests: 7 } },
        { key: SECOND, userId: 'classroom', displayName: 'Classroom', role: 'service', maxActAsRole: 'teacher' },
      ]);
      expect(services.lookup(FIRST)).toMatchObject({ role: 'service', maxActAsRole: 'user' });
      expect(services.lookup(SECOND)).toMatchObject({ role: 'service', maxActAsRole: 'teacher' });
      expect(services.rateLimitOf(keyIdOf(FIRST))).toEqual({ maxRequests: 7 });
      expect(services.rateLimitOf(keyIdOf(SECOND))).toBeUndefined();
    });
  });

  describe('when a key names a user id the service makes up', () => {
    it.each(['anon:127.0.0.1', 'svc:key:0011223344556677:alice'])('should refuse %s at start-up', (userId) => {
      expect(() => new ApiKeyTable([{ key: FIRST, userId, displayName: 'X' }])).toThrow(/may not start with/);
    });
  });
});
