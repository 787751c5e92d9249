// Public surface of the auth module.
export { anonymousIdentity, isAnonymous, isLoopbackHost, type AnonymousSetting } from './anonymous.js';
export { describeAuthMode, resolveAuthMode, type AuthMode, type AuthSettings } from './auth-mode.js';
export { ApiKeyTable, type ApiKeyEntry } from './api-keys.js';
export { createAuthenticator, TokenAuthenticator, type Authenticator, type TokenAuthenticatorOptions } from './authenticator.js';
export { identityFromClaims, JwtVerifier } from './jwt-verifier.js';
