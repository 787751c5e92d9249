// Public surface of the auth module.
export { anonymousAllowed, anonymousIdentity, isAnonymous, isLoopbackHost, type AnonymousSetting } from './anonymous.js';
export { ApiKeyTable, type ApiKeyEntry } from './api-keys.js';
export { createAuthenticator, TokenAuthenticator, type Authenticator, type TokenAuthenticatorOptions } from './authenticator.js';
export { identityFromClaims, JwtVerifier } from './jwt-verifier.js';
