// Who is acting: identity always comes from a verified token (or anonymous mode), never from a client-claimed id.

export const ROLES = ['anonymous', 'user', 'teacher', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export interface Identity {
  userId: string;
  displayName: string;
  avatar: string | null;
  role: Role;
  /**
   * The credential the request came with, when it was an API key: a stable id that is not the key itself. The scheduler
   * caps the work of all users of one key together. Absent for JWTs and anonymous use.
   */
  keyId?: string;
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
