// Error codes of authentication and authorisation.
import { defineError } from '../app-error.js';

export const AUTH_ERRORS = {
  missingToken: defineError('RUNLANE_ERR_AUTH_MISSING_TOKEN', 401, 'The server requires a Bearer token and none was sent.', 'Send `Authorization: Bearer <jwt or api key>` (Socket.IO: `auth: { token }`).'),
  invalidToken: defineError('RUNLANE_ERR_AUTH_INVALID_TOKEN', 401, 'The Bearer token is malformed, expired, has a bad signature, or is not a known API key.', 'Obtain a fresh token signed with the server\'s secret, or a valid API key.'),
  forbidden: defineError('RUNLANE_ERR_AUTH_FORBIDDEN', 403, 'The authenticated user may not do this.', 'Use an account with the required role.'),
} as const;
