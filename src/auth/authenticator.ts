// Turns an Authorization header into an Identity: Bearer JWT or API key, or anonymous when allowed. Transport-free.
import type { Identity } from '../domain/identity.js';
import { AppError, AUTH_ERRORS } from '../errors/index.js';
import { anonymousIdentity, type AnonymousSetting } from './anonymous.js';
import { resolveAuthMode } from './auth-mode.js';
import { ApiKeyTable, type ApiKeyEntry, type KeyRateLimit } from './api-keys.js';
import type { ClaimMapping } from './claim-mapping.js';
import { JwtVerifier } from './jwt-verifier.js';

/** Resolves who is acting; HTTP and Socket.IO handshakes both use it. */
export interface Authenticator {
  /** Whether a request without a token is served (as `anon:<ip>`). */
  readonly anonymousAllowed: boolean;
  /**
   * The identity of an `Authorization` header value (`Bearer <token>`; a bare token is accepted too, as Socket.IO sends it).
   * Throws 401 AppErrors: `RUNLANE_ERR_AUTH_MISSING_TOKEN` when a token is required and absent, `RUNLANE_ERR_AUTH_INVALID_TOKEN` when one is sent and refused.
   */
  authenticate(authorization: string | undefined, ip: string): Promise<Identity>;
  /** The configured rate limit of the API key an identity came with (or acts through), if it has one of its own. */
  rateLimitOf(identity: Identity): KeyRateLimit | undefined;
}

/** Settings of {@link TokenAuthenticator}, from the `auth` and `server` configuration sections. */
export interface TokenAuthenticatorOptions {
  /** HS256 secret; null disables HS256 JWTs. */
  jwtSecret: string | null;
  /** PEM or JWK of the RS256/ES256 public key. @defaultValue null */
  jwtPublicKey?: string | null | undefined;
  /** JWKS URL of an identity provider. @defaultValue null */
  jwksUrl?: string | null | undefined;
  /** @defaultValue null (not checked) */
  jwtIssuer?: string | null | undefined;
  /** @defaultValue null (not checked) */
  jwtAudience?: string | null | undefined;
  /** @defaultValue sub, name, picture, role, maxActAsRole */
  claims?: Readonly<ClaimMapping> | undefined;
  /** Shortest time between two JWKS fetches caused by an unknown `kid`, ms. @defaultValue 30000 */
  jwksCooldownMs?: number | undefined;
  apiKeys: readonly ApiKeyEntry[];
  /** `auth.anonymous`. */
  anonymous: AnonymousSetting;
  /** The address the server binds to, which (with the credentials) decides `anonymous: auto`. */
  serverHost: string;
}

/** The Authenticator over the `auth` section of the configuration. */
export class TokenAuthenticator implements Authenticator {
  readonly anonymousAllowed: boolean;
  private readonly jwt: JwtVerifier | null;
  private readonly apiKeys: ApiKeyTable;

  constructor(options: TokenAuthenticatorOptions) {
    this.anonymousAllowed = resolveAuthMode(options).anonymous;
    this.jwt =
      options.jwtSecret || options.jwtPublicKey || options.jwksUrl
        ? new JwtVerifier({
            secret: options.jwtSecret,
            publicKey: options.jwtPublicKey,
            jwksUrl: options.jwksUrl,
            issuer: options.jwtIssuer,
            audience: options.jwtAudience,
            claims: options.claims,
            jwksCooldownMs: options.jwksCooldownMs,
          })
        : null;
    this.apiKeys = new ApiKeyTable(options.apiKeys);
  }

  async authenticate(authorization: string | undefined, ip: string): Promise<Identity> {
    const token = extractToken(authorization);
    if (token === null) {
      if (this.anonymousAllowed) return anonymousIdentity(ip);
      throw new AppError(AUTH_ERRORS.missingToken, 'authentication required: send `Authorization: Bearer <token>`');
    }
    // A token that was sent is always checked, even in anonymous mode: a bad token is a client bug worth reporting.
    const byKey = this.apiKeys.lookup(token);
    if (byKey) return byKey;
    if (this.jwt && looksLikeJwt(token)) return this.jwt.verify(token);
    throw new AppError(AUTH_ERRORS.invalidToken, this.jwt ? 'invalid token: not a valid JWT or known API key' : 'invalid token: not a known API key');
  }

  rateLimitOf(identity: Identity): KeyRateLimit | undefined {
    const keyId = (identity.actor ?? identity).keyId;
    return keyId === undefined ? undefined : this.apiKeys.rateLimitOf(keyId);
  }
}

/** Builds the authenticator from the `auth` and `server` configuration sections. */
export function createAuthenticator(auth: Omit<TokenAuthenticatorOptions, 'serverHost'>, serverHost: string): Authenticator {
  return new TokenAuthenticator({ ...auth, serverHost });
}

function extractToken(authorization: string | undefined): string | null {
  const value = authorization?.trim() ?? '';
  // `Bearer ` with nothing after it is what a client sends when its token variable is empty: no credentials, not a bad token.
  if (value === '' || /^Bearer$/i.test(value)) return null;
  const match = /^Bearer\s+(.+)$/i.exec(value);
  if (match) return match[1]!.trim();
  if (/\s/.test(value)) throw new AppError(AUTH_ERRORS.invalidToken, 'invalid authorization header: use the `Bearer` scheme');
  return value;
}

function looksLikeJwt(token: string): boolean {
  return token.split('.').length === 3;
}
