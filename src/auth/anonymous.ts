// Anonymous access: which bind addresses are local-only, and the identities tokenless clients get.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { withClaimedName, type Identity } from '../domain/identity.js';

/** The `auth.anonymous` setting: a boolean, or `auto` (allowed only on a loopback address with no credentials configured). */
export type AnonymousSetting = boolean | 'auto';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (bare.startsWith('::ffff:')) return isLoopbackHost(bare.slice('::ffff:'.length));
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Anonymous HTTP clients are told apart by IP only, so rate limits and per-user caps apply per address. */
export function anonymousIdentity(ip: string): Identity {
  return { userId: `anon:${ip}`, displayName: 'Anonymous', avatar: null, role: 'anonymous' };
}

/**
 * A tokenless Socket.IO connection is a user of its own (`anon:c-<random>`): two browser tabs behind one address can
 * run in one room at once, and nothing it claims can name another user. The name it claims is shown, sanitised.
 */
export function connectionIdentity(claimedName?: unknown): Identity {
  return withClaimedName({ userId: `anon:c-${randomBytes(8).toString('hex')}`, displayName: 'Anonymous', avatar: null, role: 'anonymous' }, claimedName);
}

const CLAIMED_ID_MAX = 64;

/**
 * A tokenless HTTP request naming a user (seed 003's `/compile` sends `userId`/`username`): `anon:<ip>:<claimed id>`,
 * so users behind one address are told apart, and still only within that address and the `anon:` namespace that no token
 * may claim. Without a usable claimed id the per-address identity stays.
 */
export function claimedAnonymousIdentity(identity: Identity, claimedUserId: unknown, claimedName: unknown): Identity {
  if (!isAnonymous(identity)) return identity;
  const id = typeof claimedUserId === 'string' ? claimedUserId.replace(/[^A-Za-z0-9._@-]/g, '').slice(0, CLAIMED_ID_MAX) : '';
  const named = withClaimedName(identity, claimedName ?? (id === '' ? undefined : id));
  return id === '' ? named : { ...named, userId: `${identity.userId}:${id}` };
}

/** True for identities produced by {@link anonymousIdentity} and its per-connection and claimed variants. */
export function isAnonymous(identity: Identity): boolean {
  return identity.role === 'anonymous';
}
