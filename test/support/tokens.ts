// Signs test JWTs with the stack's secret: valid, expired, or signed with the wrong key.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** The HS256 secret every test stack is configured with unless overridden. */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

export interface TokenClaims {
  sub?: string;
  name?: string;
  picture?: string;
  role?: 'user' | 'teacher' | 'admin';
}

export interface SignOptions {
  secret?: string;
  /** Seconds from now; negative for a token that has already expired. @defaultValue 3600 */
  expiresInSeconds?: number;
  /** @defaultValue 'HS256' */
  algorithm?: 'HS256' | 'HS384' | 'HS512';
}

/** A signed token; `sub` defaults to a fresh unique user id. */
export async function signToken(claims: TokenClaims = {}, options: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { sub = `user-${randomUUID()}`, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** `{ authorization: 'Bearer …' }` for `app.inject({ headers })`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** A user with a fresh id, a name and a token: what most tests need. */
export async function makeUser(name = 'Test User', role: TokenClaims['role'] = 'user'): Promise<{ userId: string; name: string; token: string; headers: { authorization: string } }> {
  const userId = `user-${randomUUID()}`;
  const token = await signToken({ sub: userId, name, role, picture: `https://avatars.example/${userId}.png` });
  return { userId, name, token, headers: bearer(token) };
}
