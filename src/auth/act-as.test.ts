// Who may act for whom: only services, within their role ceiling, under an id namespaced by the service's key.
import { describe, expect, it } from 'vitest';
import type { Identity } from '../domain/identity.js';
import { actAs } from './act-as.js';

const service: Identity = { userId: 'backend', displayName: 'Backend', avatar: null, role: 'service', keyId: 'key:00112233aabbccdd', maxActAsRole: 'teacher' };

describe('actAs', () => {
  describe('when a service names an end user', () => {
    it('should give the namespaced end user, keeping the key for its caps', () => {
      expect(actAs(service, { userId: 'alice', displayName: 'Alice', role: 'teacher' })).toEqual({
        userId: 'svc:key:00112233aabbccdd:alice',
        displayName: 'Alice',
        avatar: null,
        role: 'teacher',
        keyId: 'key:00112233aabbccdd',
        actor: service,
      });
    });

    it('should act for the service, not for the end user, when asked again on an acted identity', () => {
      const alice = actAs(service, { userId: 'alice' });
      expect(actAs(alice, { userId: 'bob' }).userId).toBe('svc:key:00112233aabbccdd:bob');
    });

    it('should refuse a role above the ceiling with 403 RUNLANE_ERR_AUTH_ACT_AS_ROLE', () => {
      expect(() => actAs(service, { userId: 'alice', role: 'admin' })).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_AUTH_ACT_AS_ROLE', statusCode: 403 }));
      expect(() => actAs({ ...service, maxActAsRole: undefined }, { userId: 'alice', role: 'teacher' })).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_AUTH_ACT_AS_ROLE' }));
    });

    it.each(['', '   ', 'a\nb', 'x'.repeat(201)])('should refuse the user id %j with 400', (userId) => {
      expect(() => actAs(service, { userId })).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_HTTP_VALIDATION', statusCode: 400 }));
    });
  });

  describe('when the caller is not a service', () => {
    it.each(['user', 'teacher', 'admin', 'anonymous'] as const)('should refuse role %s with 403 RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN', (role) => {
      expect(() => actAs({ ...service, role }, { userId: 'alice' })).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN', statusCode: 403 }));
    });
  });
});
