// How a node authenticates, decided once from the configuration: which credentials it accepts and whether tokenless requests are served.
import { isLoopbackHost, type AnonymousSetting } from './anonymous.js';

/** The `auth` settings (and bind address) the mode is decided from. */
export interface AuthSettings {
  /** `auth.jwtSecret`; null when HS256 JWTs are not accepted. */
  jwtSecret: string | null;
  /** `auth.jwtPublicKey`. @defaultValue null */
  jwtPublicKey?: string | null | undefined;
  /** `auth.jwksUrl`. @defaultValue null */
  jwksUrl?: string | null | undefined;
  /** `auth.apiKeys`; only their number matters here. */
  apiKeys: readonly unknown[];
  /** `auth.anonymous`. */
  anonymous: AnonymousSetting;
  /** `server.host`, the address the server binds to. */
  serverHost: string;
}

/** The resolved mode, as the authenticator applies it and the start-up log states it. */
export interface AuthMode {
  /** Whether a request without a token is served as `anon:<ip>`. */
  anonymous: boolean;
  /** HS256 JWTs are verified. */
  jwt: boolean;
  /** RS256/ES256 JWTs are verified against a configured public key. */
  jwtPublicKey: boolean;
  /** RS256/ES256 JWTs are verified against an identity provider's JWKS. */
  jwks: boolean;
  /** How many static API keys are configured. */
  apiKeyCount: number;
  /** Why anonymous use is on or off, in words an operator recognises. */
  reason: string;
}

/**
 * `anonymous: auto` serves tokenless requests only on a machine nobody else can reach AND where no credential is
 * configured: a configured secret or key means tokens are expected, also behind a reverse proxy on 127.0.0.1.
 * `true` and `false` are explicit and win.
 */
export function resolveAuthMode(settings: AuthSettings): AuthMode {
  const jwt = settings.jwtSecret !== null && settings.jwtSecret !== '';
  const jwtPublicKey = Boolean(settings.jwtPublicKey);
  const jwks = Boolean(settings.jwksUrl);
  const apiKeyCount = settings.apiKeys.length;
  const base = { jwt, jwtPublicKey, jwks, apiKeyCount };
  if (settings.anonymous === true) return { ...base, anonymous: true, reason: 'auth.anonymous: true' };
  if (settings.anonymous === false) return { ...base, anonymous: false, reason: 'auth.anonymous: false' };
  if (jwt || jwtPublicKey || jwks || apiKeyCount > 0) return { ...base, anonymous: false, reason: 'credentials configured' };
  if (!isLoopbackHost(settings.serverHost)) return { ...base, anonymous: false, reason: `bound to ${settings.serverHost}, not loopback` };
  return { ...base, anonymous: true, reason: 'loopback, no credentials configured' };
}

/**
 * The one start-up line stating the mode, e.g. `auth: tokens required (JWT HS256, 2 API keys); anonymous off (credentials configured)`
 * or `auth: anonymous (loopback, no credentials configured)`.
 */
export function describeAuthMode(mode: AuthMode): string {
  const credentials = [
    ...(mode.jwt ? ['JWT HS256'] : []),
    ...(mode.jwtPublicKey ? ['JWT public key'] : []),
    ...(mode.jwks ? ['JWKS'] : []),
    ...(mode.apiKeyCount > 0 ? [`${mode.apiKeyCount} API key${mode.apiKeyCount === 1 ? '' : 's'}`] : []),
  ];
  if (credentials.length === 0) {
    return mode.anonymous
      ? `auth: anonymous (${mode.reason})`
      : `auth: tokens required but none can be verified (set auth.jwtSecret, auth.jwksUrl, auth.jwtPublicKey or auth.apiKeys); anonymous off (${mode.reason})`;
  }
  const tokens = `(${credentials.join(', ')})`;
  return mode.anonymous ? `auth: tokens accepted ${tokens}; anonymous on (${mode.reason})` : `auth: tokens required ${tokens}; anonymous off (${mode.reason})`;
}
