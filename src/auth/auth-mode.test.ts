// The auth mode decision (`anonymous: auto` against credentials and bind address) and the start-up line that states it.
import { describe, expect, it } from 'vitest';
import { describeAuthMode, resolveAuthMode, type AuthSettings } from './auth-mode.js';

const SECRET = 'unit-test-secret-0123456789abcdef';
const KEY = { key: 'k'.repeat(32), userId: 'bot', displayName: 'Bot' };
const settings = (overrides: Partial<AuthSettings>): AuthSettings => ({ jwtSecret: null, apiKeys: [], anonymous: 'auto', serverHost: '127.0.0.1', ...overrides });

describe('resolveAuthMode', () => {
  describe('when anonymous is auto', () => {
    it.each([
      ['loopback, no credentials', {}, true],
      ['localhost, no credentials', { serverHost: 'localhost' }, true],
      ['loopback with a JWT secret', { jwtSecret: SECRET }, false],
      ['loopback with an API key', { apiKeys: [KEY] }, false],
      ['loopback with both', { jwtSecret: SECRET, apiKeys: [KEY, KEY] }, false],
      ['loopback with a JWKS URL', { jwksUrl: 'https://idp.example/jwks.json' }, false],
      ['all interfaces, no credentials', { serverHost: '0.0.0.0' }, false],
      ['a LAN address, no credentials', { serverHost: '192.168.1.5' }, false],
    ] as const)('should decide %s → anonymous %s', (_name, overrides, expected) => {
      expect(resolveAuthMode(settings(overrides)).anonymous).toBe(expected);
    });
  });

  describe('when anonymous is set explicitly', () => {
    it('should honour true even with credentials on a public address, and false even on loopback without any', () => {
      expect(resolveAuthMode(settings({ anonymous: true, jwtSecret: SECRET, serverHost: '0.0.0.0' })).anonymous).toBe(true);
      expect(resolveAuthMode(settings({ anonymous: false })).anonymous).toBe(false);
    });
  });
});

describe('describeAuthMode', () => {
  it.each([
    [settings({ jwtSecret: SECRET, apiKeys: [KEY, KEY] }), 'auth: tokens required (JWT HS256, 2 API keys); anonymous off (credentials configured)'],
    [settings({ apiKeys: [KEY] }), 'auth: tokens required (1 API key); anonymous off (credentials configured)'],
    [settings({}), 'auth: anonymous (loopback, no credentials configured)'],
    [settings({ anonymous: true, jwtSecret: SECRET }), 'auth: tokens accepted (JWT HS256); anonymous on (auth.anonymous: true)'],
    [settings({ jwksUrl: 'https://idp.example/jwks.json', jwtPublicKey: 'pem', apiKeys: [KEY] }), 'auth: tokens required (JWT public key, JWKS, 1 API key); anonymous off (credentials configured)'],
    [settings({ serverHost: '0.0.0.0' }), 'auth: tokens required but none can be verified (set auth.jwtSecret, auth.jwksUrl, auth.jwtPublicKey or auth.apiKeys); anonymous off (bound to 0.0.0.0, not loopback)'],
  ])('should state the mode in one line (%#)', (input, line) => {
    expect(describeAuthMode(resolveAuthMode(input))).toBe(line);
  });

  it('should never include a secret or key', () => {
    const line = describeAuthMode(resolveAuthMode(settings({ jwtSecret: SECRET, apiKeys: [KEY] })));
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain(KEY.key);
  });
});
