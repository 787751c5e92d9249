// Verifies Bearer JWTs (HS256 with the shared secret; RS256/ES256 with a public key or a JWKS URL) and maps their claims.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Identity } from '../domain/identity.js';
import { AppError, AUTH_ERRORS, CONFIG_ERRORS } from '../errors/index.js';
import { DEFAULT_CLAIMS, identityFromClaims, type ClaimMapping } from './claim-mapping.js';

/** Asymmetric algorithms accepted from a public key or a JWKS. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'] as const;

/** How JWTs are checked; at least one of `secret`, `publicKey`, `jwksUrl` is set. */
export interface JwtVerifierOptions {
  /** HS256 secret. @defaultValue null */
  secret?: string | null | undefined;
  /** PEM (SPKI) or JWK JSON of the RS256/ES256 public key. @defaultValue null */
  publicKey?: string | null | undefined;
  /** JWKS of an identity provider. @defaultValue null */
  jwksUrl?: string | null | undefined;
  /** Required `iss`. @defaultValue null (not checked) */
  issuer?: string | null | undefined;
  /** Required `aud`. @defaultValue null (not checked) */
  audience?: string | null | undefined;
  /** @defaultValue {@link DEFAULT_CLAIMS} */
  claims?: Readonly<ClaimMapping> | undefined;
  /** Shortest time between two JWKS fetches caused by an unknown `kid`, ms. @defaultValue 30000 */
  jwksCooldownMs?: number | undefined;
}

type KeyInput = Parameters<typeof jwtVerify>[1];

/** Checks signature, algorithm, expiry and (when configured) issuer and audience of a JWT. */
export class JwtVerifier {
  private readonly secret: Uint8Array | null;
  private readonly publicKey: { key: KeyObject; algorithm: string } | null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly checks: Pick<JWTVerifyOptions, 'issuer' | 'audience'>;
  private readonly claims: Readonly<ClaimMapping>;

  constructor(options: JwtVerifierOptions | string) {
    const settings = typeof options === 'string' ? { secret: options } : options;
    this.secret = settings.secret ? new TextEncoder().encode(settings.secret) : null;
    this.publicKey = settings.publicKey ? importPublicKey(settings.publicKey) : null;
    this.jwks = settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl), { cooldownDuration: settings.jwksCooldownMs ?? 30_000 }) : null;
    this.checks = { ...(settings.issuer ? { issuer: settings.issuer } : {}), ...(settings.audience ? { audience: settings.audience } : {}) };
    this.claims = settings.claims ?? DEFAULT_CLAIMS;
  }

  /** The algorithms tokens may be signed with, e.g. for the start-up line. */
  get algorithms(): string[] {
    return [...(this.secret ? ['HS256'] : []), ...(this.publicKey ? [this.publicKey.algorithm] : []), ...(this.jwks ? ASYMMETRIC_ALGORITHMS.filter((alg) => alg !== this.publicKey?.algorithm) : [])];
  }

  /** The token's identity; throws `RUNLANE_ERR_AUTH_INVALID_TOKEN` saying why it was refused. */
  async verify(token: string): Promise<Identity> {
    let payload: JWTPayload;
    try {
      ({ payload } = await this.verifyWithPinnedKey(token));
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      throw new AppError(AUTH_ERRORS.invalidToken, `invalid token: ${this.describeJoseError(cause)}`, { cause });
    }
    return identityFromClaims(payload, this.claims);
  }

  /**
   * Picks the key by the token's `alg` and pins that algorithm, so `alg: none` and key-confusion tokens (an HS256
   * token "signed" with the public key) never verify. A token with a `kid` goes to the JWKS when one is configured.
   */
  private verifyWithPinnedKey(token: string) {
    const header = decodeProtectedHeader(token);
    if (header.alg === 'HS256' && this.secret) return jwtVerify(token, this.secret, { ...this.checks, algorithms: ['HS256'] });
    const asymmetric = ASYMMETRIC_ALGORITHMS.find((alg) => alg === header.alg);
    if (asymmetric && this.jwks && (header.kid !== undefined || !this.publicKey)) {
      return jwtVerify(token, this.jwks, { ...this.checks, algorithms: [...ASYMMETRIC_ALGORITHMS] });
    }
    if (asymmetric && this.publicKey && this.publicKey.algorithm === asymmetric) {
      return jwtVerify(token, this.publicKey.key as KeyInput, { ...this.checks, algorithms: [this.publicKey.algorithm] });
    }
    throw new joseErrors.JOSEAlgNotAllowed(`"alg" (Algorithm) Header Parameter value not allowed`);
  }

  private describeJoseError(error: unknown): string {
    if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the signature does not match';
    if (error instanceof joseErrors.JOSEAlgNotAllowed) return `only ${this.algorithms.join(', ')} tokens are accepted`;
    if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the identity provider\'s JWKS matches the token (unknown `kid`)';
    if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return 'the identity provider\'s keys (JWKS) could not be fetched';
    if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim \`${error.claim}\` is not valid (${error.reason})`;
    if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'the token is malformed';
    return 'the token could not be verified';
  }
}

/** A PEM or JWK public key and the one algorithm it is used with: RS256 for RSA, ES256 for P-256. */
function importPublicKey(text: string): { key: KeyObject; algorithm: string } {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.startsWith('{') ? createPublicKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' }) : createPublicKey(trimmed);
  } catch (cause) {
    throw new AppError(CONFIG_ERRORS.invalid, 'invalid configuration: auth.jwtPublicKey: not a PEM public key (-----BEGIN PUBLIC KEY-----) or a JWK in JSON', { cause, details: { key: 'auth.jwtPublicKey' } });
  }
  if (key.asymmetricKeyType === 'rsa') return { key, algorithm: 'RS256' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key, algorithm: 'ES256' };
  throw new AppError(CONFIG_ERRORS.invalid, 'invalid configuration: auth.jwtPublicKey must be an RSA key (RS256) or a P-256 EC key (ES256)', { details: { key: 'auth.jwtPublicKey' } });
}
