// Verifies HS256 Bearer JWTs and turns their claims into an Identity.
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Identity, Role } from '../domain/identity.js';
import { AppError, AUTH_ERRORS } from '../errors/index.js';

const TOKEN_ROLES: readonly Role[] = ['user', 'teacher', 'admin'];

/** Checks signature, algorithm and expiry of a JWT signed with the shared secret. */
export class JwtVerifier {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  /** The token's identity; throws `RUNLANE_ERR_AUTH_INVALID_TOKEN` saying why it was refused. */
  async verify(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      // Pinning the algorithm stops `alg: none` and key-confusion tokens.
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }));
    } catch (cause) {
      throw new AppError(AUTH_ERRORS.invalidToken, `invalid token: ${describeJoseError(cause)}`, { cause });
    }
    return identityFromClaims(payload);
  }
}

/** `sub` → userId, `name` → displayName, `picture`/`avatar` → avatar, `role` (user, teacher, admin; anything else is user). */
export function identityFromClaims(payload: JWTPayload): Identity {
  const userId = typeof payload.sub === 'string' ? payload.sub.trim() : '';
  if (userId === '') throw new AppError(AUTH_ERRORS.invalidToken, 'invalid token: the `sub` claim (user id) is missing');
  if (userId.startsWith('anon:')) throw new AppError(AUTH_ERRORS.invalidToken, 'invalid token: user ids starting with `anon:` are reserved');
  const name = stringClaim(payload.name);
  const avatar = stringClaim(payload.picture) ?? stringClaim(payload.avatar);
  const role = TOKEN_ROLES.find((candidate) => candidate === payload.role) ?? 'user';
  return { userId, displayName: name ?? userId, avatar, role };
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not match';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'only HS256 tokens are accepted';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim \`${error.claim}\` is not valid (${error.reason})`;
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'the token is malformed';
  return 'the token could not be verified';
}
