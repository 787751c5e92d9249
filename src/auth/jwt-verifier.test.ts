// The JWT verifier's pinning: each key verifies only its own algorithm, so `none` and key-confusion tokens never pass.
import { exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { JwtVerifier } from './jwt-verifier.js';

const SECRET = 'unit-test-secret-0123456789abcdef';

describe('JwtVerifier', () => {
  describe('when a token names an algorithm its key is not for', () => {
    it('should refuse `alg: none`', async () => {
      const token = new UnsecuredJWT({ sub: 'u' }).setExpirationTime('1h').encode();
      await expect(new JwtVerifier(SECRET).verify(token)).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_INVALID_TOKEN', statusCode: 401 });
    });

    it('should refuse an HS256 token "signed" with the public key (key confusion)', async () => {
      const { publicKey } = await generateKeyPair('RS256', { extractable: true });
      const pem = await exportSPKI(publicKey);
      const forged = await new SignJWT({ sub: 'mallory', role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(pem));
      await expect(new JwtVerifier({ publicKey: pem }).verify(forged)).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_INVALID_TOKEN', message: expect.stringContaining('only RS256') });
    });

    it('should refuse an RS256 token when only a secret is configured', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('1h').sign(privateKey);
      await expect(new JwtVerifier(SECRET).verify(token)).rejects.toMatchObject({ message: expect.stringContaining('only HS256') });
    });
  });

  describe('when the identity provider cannot be reached', () => {
    it('should refuse the token with 401, not fail the request', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setExpirationTime('1h').sign(privateKey);
      const verifier = new JwtVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json' });
      await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'RUNLANE_ERR_AUTH_INVALID_TOKEN', statusCode: 401 });
    });
  });

  describe('when a public key is not RSA or P-256', () => {
    it('should refuse it at start-up', async () => {
      const { publicKey } = await generateKeyPair('EdDSA', { extractable: true });
      expect(() => new JwtVerifier({ publicKey: '' })).not.toThrow();
      const pem = await exportSPKI(publicKey);
      expect(() => new JwtVerifier({ publicKey: pem })).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_CONFIG_INVALID', message: expect.stringMatching(/RSA key \(RS256\) or a P-256/) }));
      expect(() => new JwtVerifier({ publicKey: 'not a key' })).toThrow(expect.objectContaining({ code: 'RUNLANE_ERR_CONFIG_INVALID', message: expect.stringContaining('auth.jwtPublicKey') }));
    });
  });
});
