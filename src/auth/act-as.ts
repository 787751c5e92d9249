// A service acting for one of its end users: who may, which role it may hand out, and the namespaced identity it gets.
import { actAsRoleWithin, type ActAsRole, type Identity } from '../domain/identity.js';
import { AppError, AUTH_ERRORS, HTTP_ERRORS } from '../errors/index.js';

/** The end user a service names (`actAs` in a body, the `Runlane-Act-As` header, or a compat route's `userId`). */
export interface ActAsRequest {
  userId: string;
  displayName?: string | null | undefined;
  avatar?: string | null | undefined;
  /** @defaultValue 'user' */
  role?: ActAsRole | undefined;
}

/** The header that names the end user for requests without a body (reads, cancels, history). */
export const ACT_AS_HEADER = 'runlane-act-as';

const MAX_ACTED_USER_ID = 200;

/**
 * The identity a request runs as when `caller` acts for `request`'s end user. Refused with 403 unless the caller is a
 * `service` identity, and when the role asked for is above the service's `maxActAsRole`.
 *
 * The end user's id is namespaced by the service's key (`svc:<keyId>:<userId>`): two services' "alice" never meet, and
 * no service can become a user who signs in with a JWT (token subjects may not start with `svc:`). The service's key id
 * stays on the identity, so the key's own queue cap and rate limit apply on top of the end user's.
 */
export function actAs(caller: Identity, request: ActAsRequest): Identity {
  // A header already switched to an end user: the body speaks for the same service, not for that end user.
  const service = caller.actor ?? caller;
  if (service.role !== 'service' || service.keyId === undefined) {
    throw new AppError(AUTH_ERRORS.actAsForbidden, 'only a service key or token may act for another user (`actAs`); this credential is not a service', {
      details: { role: service.role },
    });
  }
  const userId = checkedUserId(request.userId);
  const role = request.role ?? 'user';
  const ceiling = service.maxActAsRole ?? 'user';
  if (!actAsRoleWithin(role, ceiling)) {
    throw new AppError(AUTH_ERRORS.actAsRoleTooHigh, `this service may act for users up to role \`${ceiling}\`; \`actAs.role\` asked for \`${role}\``, {
      details: { role, maxActAsRole: ceiling },
    });
  }
  return {
    userId: actedUserId(service.keyId, userId),
    displayName: nonEmpty(request.displayName) ?? userId,
    avatar: nonEmpty(request.avatar),
    role,
    keyId: service.keyId,
    actor: service,
  };
}

/** `svc:<keyId>:<userId>`: the id an end user has when a service acts for it; keyIds hold exactly one colon, so it parses back. */
export function actedUserId(keyId: string, userId: string): string {
  return `svc:${keyId}:${userId}`;
}

function checkedUserId(raw: string): string {
  const userId = raw.trim();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (userId === '' || userId.length > MAX_ACTED_USER_ID || /[\u0000-\u001f\u007f]/.test(userId)) {
    throw new AppError(HTTP_ERRORS.validation, `\`actAs.userId\` must be 1 to ${MAX_ACTED_USER_ID} characters without control characters`, {
      details: { field: 'actAs.userId' },
    });
  }
  return userId;
}

function nonEmpty(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
