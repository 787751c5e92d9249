// Which JWT claims hold the user id, name, avatar and role: providers put them in different places (Supabase nests them).
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { ACT_AS_ROLES, isReservedUserId, type ActAsRole, type Identity, type Role } from '../domain/identity.js';
import { AppError, AUTH_ERRORS } from '../errors/index.js';

/** The `auth.claims` section: a claim name or dotted path (`user_metadata.full_name`) per identity field. */
export interface ClaimMapping {
  /** @defaultValue 'sub' */
  userId: string;
  /** @defaultValue 'name' */
  displayName: string;
  /** @defaultValue 'picture' */
  avatar: string;
  /** @defaultValue 'role' */
  role: string;
  /** @defaultValue 'maxActAsRole' */
  maxActAsRole: string;
}

export const DEFAULT_CLAIMS: Readonly<ClaimMapping> = Object.freeze({ userId: 'sub', displayName: 'name', avatar: 'picture', role: 'role', maxActAsRole: 'maxActAsRole' });

const TOKEN_ROLES: readonly Role[] = ['user', 'teacher', 'admin', 'service'];

/**
 * The identity a verified token's claims describe. The role is one of user, teacher, admin, service (anything else is
 * user, so a provider's own roles such as Supabase's `authenticated` mean a plain user). A service token gets a key id
 * from its issuer and subject, so its end users are namespaced and capped like an API key's.
 */
export function identityFromClaims(payload: JWTPayload, claims: Readonly<ClaimMapping> = DEFAULT_CLAIMS): Identity {
  const userId = stringAt(payload, claims.userId)?.trim() ?? '';
  if (userId === '') throw new AppError(AUTH_ERRORS.invalidToken, `invalid token: the \`${claims.userId}\` claim (user id) is missing`);
  if (isReservedUserId(userId)) throw new AppError(AUTH_ERRORS.invalidToken, 'invalid token: user ids starting with `anon:` or `svc:` are reserved');
  const name = stringAt(payload, claims.displayName);
  // `avatar` was read before the mapping existed; it stays a fallback of the default mapping only.
  const avatar = stringAt(payload, claims.avatar) ?? (claims.avatar === DEFAULT_CLAIMS.avatar ? stringAt(payload, 'avatar') : null);
  const claimedRole = valueAt(payload, claims.role);
  const role = TOKEN_ROLES.find((candidate) => candidate === claimedRole) ?? 'user';
  const identity: Identity = { userId, displayName: name ?? userId, avatar, role };
  if (role !== 'service') return identity;
  const ceiling = valueAt(payload, claims.maxActAsRole);
  return {
    ...identity,
    keyId: `jwt:${createHash('sha256').update(`${payload.iss ?? ''}\u0000${userId}`, 'utf8').digest().subarray(0, 8).toString('hex')}`,
    maxActAsRole: ACT_AS_ROLES.find((candidate) => candidate === ceiling) ?? ('user' satisfies ActAsRole),
  };
}

/** The value at a dotted path; a claim whose own name contains a dot wins over the nested reading. */
function valueAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let node: unknown = payload;
  for (const segment of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function stringAt(payload: JWTPayload, path: string): string | null {
  const value = valueAt(payload, path);
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}
