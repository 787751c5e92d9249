// Claim mapping: Firebase and Supabase tokens name users in different claims; dotted paths reach nested ones.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLAIMS, identityFromClaims } from './claim-mapping.js';

const SUPABASE = { ...DEFAULT_CLAIMS, displayName: 'user_metadata.full_name', avatar: 'user_metadata.avatar_url' };

describe('identityFromClaims', () => {
  it('should read a Firebase ID token with the default mapping', () => {
    expect(identityFromClaims({ sub: 'fb-uid', name: 'Grace', picture: 'https://p.example/g.png', iss: 'https://securetoken.google.com/p' })).toEqual({
      userId: 'fb-uid',
      displayName: 'Grace',
      avatar: 'https://p.example/g.png',
      role: 'user',
    });
  });

  it('should read a Supabase token through dotted paths, and treat its `authenticated` role as user', () => {
    const identity = identityFromClaims({ sub: 'sb-uuid', role: 'authenticated', user_metadata: { full_name: 'Linus', avatar_url: 'https://p.example/l.png' } }, SUPABASE);
    expect(identity).toEqual({ userId: 'sb-uuid', displayName: 'Linus', avatar: 'https://p.example/l.png', role: 'user' });
  });

  it('should prefer a claim whose own name has a dot over the nested reading', () => {
    expect(identityFromClaims({ sub: 'u', 'https://example.com/name': 'Flat' }, { ...DEFAULT_CLAIMS, displayName: 'https://example.com/name' }).displayName).toBe('Flat');
  });

  it('should fall back to the user id for a missing name, and refuse a missing user id', () => {
    expect(identityFromClaims({ sub: 'only-id' }).displayName).toBe('only-id');
    expect(() => identityFromClaims({ name: 'x' }, { ...DEFAULT_CLAIMS, userId: 'uid' })).toThrow(/`uid` claim/);
  });

  it('should give a service token a key id from issuer and subject, and its actAs ceiling', () => {
    const one = identityFromClaims({ sub: 'edge', role: 'service', iss: 'a', maxActAsRole: 'admin' });
    const other = identityFromClaims({ sub: 'edge', role: 'service', iss: 'b' });
    expect(one).toMatchObject({ role: 'service', maxActAsRole: 'admin', keyId: expect.stringMatching(/^jwt:[0-9a-f]{16}$/) });
    expect(other.maxActAsRole).toBe('user');
    expect(one.keyId).not.toBe(other.keyId);
  });

  it.each(['anon:1.2.3.4', 'svc:key:0011223344556677:alice'])('should refuse the reserved user id %s', (sub) => {
    expect(() => identityFromClaims({ sub })).toThrow(/reserved/);
  });
});
