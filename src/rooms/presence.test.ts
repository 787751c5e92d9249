import { describe, expect, it } from 'vitest';
import { Presence } from './presence.js';

const alice = { userId: 'alice', displayName: 'Alice', avatar: null, role: 'user' as const };

describe('Presence', () => {
  describe('when one user has two connections', () => {
    it('should list the user once, joining with the first and leaving with the last', () => {
      const presence = new Presence();
      expect(presence.add('c1', alice)).toEqual({ firstForUser: true });
      expect(presence.add('c2', alice)).toEqual({ firstForUser: false });
      expect(presence.users()).toMatchObject([{ userId: 'alice', connections: 2 }]);
      expect(presence.remove('c1')).toMatchObject({ lastForUser: false });
      expect(presence.remove('c2')).toMatchObject({ lastForUser: true });
      expect(presence.remove('c2')).toBeNull();
      expect(presence.users()).toEqual([]);
    });
  });
});
