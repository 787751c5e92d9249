// RS256/ES256 JWTs: a real local JWKS server with key rotation, a static public key, issuer/audience checks and claim mapping.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { bearer, signToken, TEST_JWT_SECRET } from '../support/tokens.js';

const ISSUER = 'https://project.supabase.example/auth/v1';
const AUDIENCE = 'authenticated';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

async function makeKey(alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `kid-${randomUUID()}`;
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function sign(key: SigningKey, claims: Record<string, unknown>, options: { issuer?: string; audience?: string; kid?: boolean } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, ...(options.kid === false ? {} : { kid: key.kid }) })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(`uid-${randomUUID()}`)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + 600)
    .sign(key.privateKey);
}

/** An identity provider's JWKS endpoint whose key list the test changes, counting fetches. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private readonly server: Server = createServer((request, response) => {
    this.fetches += 1;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: this.keys }));
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/auth/v1/.well-known/jwks.json`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const whoAmI = (stack: TestStack, token: string) =>
  call(stack.app, 'POST', '/api/v1/submissions', { headers: bearer(token), query: { wait: 'true' }, payload: { language: 'python', source: 'print(1)' } });

describe('JWTs verified against a JWKS URL', () => {
  const jwks = new JwksServer();
  let stack: TestStack;
  let first: SigningKey;

  beforeAll(async () => {
    first = await makeKey('RS256');
    jwks.keys = [first.jwk];
    const url = await jwks.start();
    stack = await createTestStack({
      auth: {
        anonymous: false,
        jwksUrl: url,
        jwksCooldownMs: 1,
        jwtIssuer: ISSUER,
        jwtAudience: AUDIENCE,
        claims: { userId: 'sub', displayName: 'user_metadata.full_name', avatar: 'user_metadata.avatar_url', role: 'app_metadata.runlane_role', maxActAsRole: 'maxActAsRole' },
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await jwks.close();
  });

  describe('when a token is signed by a key the provider publishes', () => {
    it('should accept it and map Supabase-style nested claims', async () => {
      const token = await sign(first, { role: 'authenticated', user_metadata: { full_name: 'Ada Lovelace', avatar_url: 'https://a.example/ada.png' }, app_metadata: { runlane_role: 'teacher' } });
      const response = await whoAmI(stack, token);
      expect(response.statusCode).toBe(200);
      expect(response.body.user).toMatchObject({ displayName: 'Ada Lovelace', avatar: 'https://a.example/ada.png' });
      expect(response.body.user.userId).toMatch(/^uid-/);
    });
  });

  describe('when the provider rotates to a new key', () => {
    it('should fetch the JWKS again for the unknown kid and accept tokens of the new key', async () => {
      const rotated = await makeKey('ES256');
      const before = jwks.fetches;
      jwks.keys = [first.jwk, rotated.jwk];
      const response = await whoAmI(stack, await sign(rotated, { user_metadata: { full_name: 'After Rotation' } }));
      expect(response.statusCode).toBe(200);
      expect(response.body.user.displayName).toBe('After Rotation');
      expect(jwks.fetches).toBeGreaterThan(before);
    });
  });

  describe('when a token is refused', () => {
    it('should refuse a key the provider does not publish, naming the unknown kid', async () => {
      const stranger = await makeKey('RS256');
      const response = await whoAmI(stack, await sign(stranger, {}));
      expect(response.statusCode).toBe(401);
      expect(response.body.error).toMatchObject({ code: 'RUNLANE_ERR_AUTH_INVALID_TOKEN', message: expect.stringContaining('kid') });
    });

    it('should refuse a published kid whose signature was made by another key', async () => {
      const forger = await makeKey('RS256');
      const response = await whoAmI(stack, await sign({ ...forger, kid: first.kid }, {}));
      expect(response.statusCode).toBe(401);
      expect(response.body.error.message).toContain('signature');
    });

    it.each([
      ['another issuer', { issuer: 'https://evil.example' }, 'iss'],
      ['another audience', { audience: 'someone-else' }, 'aud'],
    ])('should refuse a token from %s', async (_name, options, claim) => {
      const response = await whoAmI(stack, await sign(first, {}, options));
      expect(response.statusCode).toBe(401);
      expect(response.body.error.message).toContain(claim);
    });

    it('should refuse an HS256 token when only the JWKS is configured for it (algorithms are pinned)', async () => {
      const response = await whoAmI(stack, await signToken({ sub: 'hs-user' }, { secret: JSON.stringify(first.jwk) }));
      expect(response.statusCode).toBe(401);
    });
  });

  describe('when a token is signed with the shared HS256 secret', () => {
    it('should still accept it, under the same issuer and audience checks', async () => {
      const now = Math.floor(Date.now() / 1000);
      const hs256 = (issuer: string) =>
        new SignJWT({ user_metadata: { full_name: 'Shared Secret' } }).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setAudience(AUDIENCE).setSubject(`hs-${randomUUID()}`).setExpirationTime(now + 60).sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const accepted = await whoAmI(stack, await hs256(ISSUER));
      expect(accepted.statusCode).toBe(200);
      expect(accepted.body.user.displayName).toBe('Shared Secret');
      const refused = await whoAmI(stack, await signToken({ sub: `hs-${randomUUID()}` }));
      expect(refused.statusCode).toBe(401);
      expect(refused.body.error.message).toContain('iss');
    });
  });
});

describe('JWTs verified against a static public key', () => {
  let stack: TestStack;
  let key: SigningKey;

  beforeAll(async () => {
    key = await makeKey('ES256');
    stack = await createTestStack({ auth: { anonymous: false, jwtPublicKey: await exportSPKI(key.publicKey) } });
  });
  afterAll(async () => stack?.close());

  it('should accept ES256 tokens of that key with or without a kid, and HS256 tokens of the secret', async () => {
    expect((await whoAmI(stack, await sign(key, { name: 'With kid' }))).statusCode).toBe(200);
    expect((await whoAmI(stack, await sign(key, { name: 'No kid' }, { kid: false }))).body.user.displayName).toBe('No kid');
    expect((await whoAmI(stack, await signToken({ sub: `hs-${randomUUID()}` }))).statusCode).toBe(200);
  });

  it('should refuse another key and another algorithm', async () => {
    expect((await whoAmI(stack, await sign(await makeKey('ES256'), {}))).statusCode).toBe(401);
    const rsa = await whoAmI(stack, await sign(await makeKey('RS256'), {}));
    expect(rsa.statusCode).toBe(401);
    expect(rsa.body.error.message).toContain('accepted');
  });
});
