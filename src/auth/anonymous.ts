// Anonymous access: which bind addresses are local-only, and the identity an unauthenticated client gets.
import { isIP } from 'node:net';
import type { Identity } from '../domain/identity.js';

/** The `auth.anonymous` setting: a boolean, or `auto` (allowed only on a loopback address with no credentials configured). */
export type AnonymousSetting = boolean | 'auto';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (bare.startsWith('::ffff:')) return isLoopbackHost(bare.slice('::ffff:'.length));
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/** Anonymous clients are told apart by IP only, so rate limits and per-user caps apply per address. */
export function anonymousIdentity(ip: string): Identity {
  return { userId: `anon:${ip}`, displayName: 'Anonymous', avatar: null, role: 'anonymous' };
}

/** True for identities produced by {@link anonymousIdentity}. */
export function isAnonymous(identity: Identity): boolean {
  return identity.role === 'anonymous';
}
