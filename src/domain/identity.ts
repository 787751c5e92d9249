// Who is acting: identity always comes from a verified token (or anonymous mode), never from a client-claimed id.

export const ROLES = ['anonymous', 'user', 'teacher', 'admin', 'service'] as const;

export type Role = (typeof ROLES)[number];

/** Roles a service may hand to the end user it acts for, lowest first. */
export const ACT_AS_ROLES = ['user', 'teacher', 'admin'] as const;

export type ActAsRole = (typeof ACT_AS_ROLES)[number];

export interface Identity {
  userId: string;
  displayName: string;
  avatar: string | null;
  role: Role;
  /**
   * The credential the request came with, when it was an API key (or a service JWT): a stable id that is not the key
   * itself. The scheduler caps the work of all users of one key together. Absent for user JWTs and anonymous use.
   */
  keyId?: string;
  /** Only for `service` identities: the highest role it may give an end user it acts for. */
  maxActAsRole?: ActAsRole;
  /** Set when a service acts for this end user: the service's own identity, which the key's limits still apply to. */
  actor?: Identity;
}

/** Extra scheduling priority a role earns on top of the submission's own priority. */
export function rolePriorityBoost(role: Role): number {
  switch (role) {
    case 'admin':
      return 20;
    case 'teacher':
      return 10;
    default:
      return 0;
  }
}

/** True when `role` is at most `ceiling` in the order user < teacher < admin. */
export function actAsRoleWithin(role: ActAsRole, ceiling: ActAsRole): boolean {
  return ACT_AS_ROLES.indexOf(role) <= ACT_AS_ROLES.indexOf(ceiling);
}

/** Prefixes of ids the service makes up itself; no token or key may claim them. */
export const RESERVED_USER_ID_PREFIXES = ['anon:', 'svc:'] as const;

/** True for ids only the service hands out (anonymous and acted-for users). */
export function isReservedUserId(userId: string): boolean {
  return RESERVED_USER_ID_PREFIXES.some((prefix) => userId.startsWith(prefix));
}

const CLAIMED_TEXT_MAX = 64;

/**
 * A name or id a tokenless client claims, made safe to show and store: control and format characters removed,
 * whitespace collapsed, cut to 64 characters. Null when nothing is left.
 */
export function sanitiseClaimedText(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const cleaned = raw.replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return null;
  return Array.from(cleaned).slice(0, CLAIMED_TEXT_MAX).join('').trim();
}

/** An anonymous identity showing the name its client claims; any other identity is returned unchanged. */
export function withClaimedName(identity: Identity, claimed: unknown): Identity {
  if (identity.role !== 'anonymous') return identity;
  const name = sanitiseClaimedText(claimed);
  return name === null ? identity : { ...identity, displayName: name };
}
