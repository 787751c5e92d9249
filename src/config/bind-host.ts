// Checks that `server.host` is something this machine can listen on, so a bad HOST fails as a config error, not at listen().
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Addresses every machine can bind: the wildcards and loopback. */
const ALWAYS_BINDABLE = new Set(['0.0.0.0', '::', '::1', 'localhost']);

/**
 * Why the process could not listen on `host`, or null when it can. Only addresses are accepted (and `localhost`): a
 * name would be resolved by DNS at listen time, and a name that does not resolve would then fail as a raw network error.
 */
export function bindHostProblem(host: string): string | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (ALWAYS_BINDABLE.has(bare.toLowerCase())) return null;
  const family = isIP(bare);
  if (family === 0) {
    return 'must be an IP address to listen on (127.0.0.1 for this machine only, 0.0.0.0 or :: for every interface) or localhost';
  }
  if (family === 4 && bare.startsWith('127.')) return null;
  const own = Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address.toLowerCase()));
  if (own.includes(bare.toLowerCase())) return null;
  return `is not an address of this machine; use one of ${['0.0.0.0', '::', ...own].join(', ')}`;
}
