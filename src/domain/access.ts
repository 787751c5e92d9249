// Who may read what: executions are private to their owner and staff, except in rooms, whose members share them live anyway.
import type { Identity, Role } from './identity.js';

const STAFF: readonly Role[] = ['teacher', 'admin'];

/** Teachers and admins see every execution (they grade and supervise). */
export function isStaff(viewer: Identity): boolean {
  return STAFF.includes(viewer.role);
}

/** An execution is visible to its owner, to staff, and to anyone when it was run in a room. */
export function canViewExecution(viewer: Identity, execution: { user: { userId: string }; roomId: string | null }): boolean {
  return execution.user.userId === viewer.userId || isStaff(viewer) || execution.roomId !== null;
}

/** A user's history lists executions outside rooms too, so only the user and staff may read it. */
export function canViewUserHistory(viewer: Identity, userId: string): boolean {
  return viewer.userId === userId || isStaff(viewer);
}
