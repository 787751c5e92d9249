// Public surface of the auth module.
export { anonymousIdentity, claimedAnonymousIdentity, connectionIdentity, isAnonymous, isLoopbackHost, type AnonymousSetting } from './anonymous.js';
export { ACT_AS_HEADER, actAs, actedUserId, type ActAsRequest } from './act-as.js';
export { describeAuthMode, resolveAuthMode, type AuthMode, type AuthSettings } from './auth-mode.js';
export { ApiKeyTable, type ApiKeyEntry, type KeyRateLimit } from './api-keys.js';
export { createAuthenticator, TokenAuthenticator, type Authenticator, type TokenAuthenticatorOptions } from './authenticator.js';
export { DEFAULT_CLAIMS, identityFromClaims, type ClaimMapping } from './claim-mapping.js';
export { ASYMMETRIC_ALGORITHMS, JwtVerifier, type JwtVerifierOptions } from './jwt-verifier.js';
