// Error codes of authentication and authorisation.
import { defineError } from '../app-error.js';

export const AUTH_ERRORS = {
  missingToken: defineError('RUNLANE_ERR_AUTH_MISSING_TOKEN', 401, 'The server requires a Bearer token and none was sent.', 'Send `Authorization: Bearer <jwt or api key>` (Socket.IO: `auth: { token }`).'),
  invalidToken: defineError('RUNLANE_ERR_AUTH_INVALID_TOKEN', 401, 'The Bearer token is malformed, expired, has a bad signature, or is not a known API key.', 'Obtain a fresh token signed with the server\'s secret, or a valid API key.'),
  actAsForbidden: defineError('RUNLANE_ERR_AUTH_ACT_AS_FORBIDDEN', 403, 'The request names an end user to act for (`actAs` or the `Runlane-Act-As` header), but only a service key or token may do that.', 'Drop `actAs`, or send the request with an API key or JWT whose role is `service`.'),
  actAsRoleTooHigh: defineError('RUNLANE_ERR_AUTH_ACT_AS_ROLE', 403, 'The service asked to act for an end user with a role above what its key allows (`maxActAsRole`).', 'Ask for a lower `actAs.role`, or raise `maxActAsRole` on the key (or in the service token).'),
  forbidden: defineError('RUNLANE_ERR_AUTH_FORBIDDEN', 403, 'The authenticated user may not do this.', 'Use an account with the required role.'),
} as const;
