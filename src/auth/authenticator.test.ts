// The authenticator without any transport: token kinds, anonymous policy, and the reasons a token is refused.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './anonymous.js';
import { TokenAuthenticator } from './authenticator.js';

const SECRET = 'unit-test-secret-0123456789abcdef';

function sign(claims: Record<string, unknown>, options: { secret?: string; expiresIn?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(now + (options.expiresIn ?? 60)).sign(new TextEncoder().encode(options.secret ?? SECRET));
}

const authenticator = (anonymous: boolean | 'auto' = false, serverHost = '127.0.0.1') =>
  new TokenAuthenticator({ jwtSecret: SECRET, apiKeys: [{ key: 'k'.repeat(32), userId: 'bot', displayName: 'Bot', role: 'admin' }], anonymous, serverHost });

describe('TokenAuthenticator', () => {
  describe('when a valid JWT is sent', () => {
    it('should map sub, name, picture and role', async () => {
      const token = await sign({ sub: 'u1', name: 'Ada', picture: 'https://a/p.png', role: 'teacher' });
      await expect(authenticator().authenticate(`Bearer ${token}`, '1.2.3.4')).resolves.toEqual({ userId: 'u1', displayName: 'Ada', avatar: 'https://a/p.png', role: 'teacher' });
    });

    it('should accept the bare token, as Socket.IO handshakes send it', async () => {
      const token = await sign({ sub: 'u2' });
      await expect(authenticator().authenticate(token, '1.2.3.4')).resolves.toMatchObject({ userId: 'u2', displayName: 'u2', role: 'user' });
    });

    it('should never grant the anonymous role or an unknown role from a claim', async () => {
      for (const role of ['anonymous', 'root']) {
        const token = await sign({ sub: 'u3', role });
        await expect(authenticator().authenticate(`Bearer ${token}`, '1.2.3.4')).resolves.toMatchObject({ role: 'user' });
      }
    });
  });

  describe('when a token is refused', () => {
    it.each([
      ['expired', () => sign({ sub: 'u' }, { expiresIn: -10 }), /expired/],
      ['signed with another secret', () => sign({ sub: 'u' }, { secret: 'another-secret-0123456789abcdef' }), /signature/],
      ['without sub', () => sign({ name: 'x' }), /sub/],
      ['claiming an anon: id', () => sign({ sub: 'anon:10.0.0.1' }), /reserved/],
    ])('should refuse a token %s with RUNLANE_ERR_AUTH_INVALID_TOKEN', async (_name, make, message) => {
      await expect(authenticator(true).authenticate(`Bearer ${await make()}`, '1.2.3.4')).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_INVALID_TOKEN', statusCode: 401, message });
    });

    it('should refuse another scheme', async () => {
      await expect(authenticator().authenticate('Basic abc', '1.2.3.4')).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_INVALID_TOKEN' });
    });
  });

  describe('when an API key is sent', () => {
    it('should give its user', async () => {
      await expect(authenticator().authenticate(`Bearer ${'k'.repeat(32)}`, '1.2.3.4')).resolves.toEqual({ userId: 'bot', displayName: 'Bot', avatar: null, role: 'admin', keyId: expect.stringMatching(/^key:/) });
    });
  });

  describe('when no token is sent', () => {
    it('should give anon:<ip> when anonymous use is on', async () => {
      await expect(authenticator(true).authenticate(undefined, '10.0.0.7')).resolves.toEqual({ userId: 'anon:10.0.0.7', displayName: 'Anonymous', avatar: null, role: 'anonymous' });
    });

    it.each(['Bearer ', 'Bearer', 'bearer    ', '  Bearer \t '])('should treat the empty header %j as no token', async (header) => {
      await expect(authenticator(true).authenticate(header, '10.0.0.7')).resolves.toMatchObject({ userId: 'anon:10.0.0.7', role: 'anonymous' });
      await expect(authenticator(false).authenticate(header, '10.0.0.7')).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_MISSING_TOKEN', statusCode: 401 });
    });

    it('should refuse with RUNLANE_ERR_AUTH_MISSING_TOKEN when it is off', async () => {
      await expect(authenticator(false).authenticate('', '10.0.0.7')).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_MISSING_TOKEN', statusCode: 401 });
    });

    it('should refuse it under `auto` once credentials are configured, even on loopback', async () => {
      expect(authenticator('auto', '127.0.0.1').anonymousAllowed).toBe(false);
      await expect(authenticator('auto', '127.0.0.1').authenticate(undefined, '127.0.0.1')).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_MISSING_TOKEN' });
    });

    it('should allow it under `auto` only on loopback without credentials', () => {
      const bare = (serverHost: string) => new TokenAuthenticator({ jwtSecret: null, apiKeys: [], anonymous: 'auto', serverHost });
      expect(bare('127.0.0.1').anonymousAllowed).toBe(true);
      expect(bare('localhost').anonymousAllowed).toBe(true);
      expect(bare('0.0.0.0').anonymousAllowed).toBe(false);
      expect(bare('192.168.1.5').anonymousAllowed).toBe(false);
    });
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['127.example.com', false],
  ])('should classify %s as %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
