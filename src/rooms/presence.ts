// Who is in a room: connections per user, so a user with two tabs is listed once and leaves with the last tab.
import type { PresenceUser } from '../contract/realtime.js';
import type { Identity } from '../domain/identity.js';

interface Member {
  identity: Identity;
  joinedAt: Date;
  connectionIds: Set<string>;
}

/** The members of one room on this node. */
export class Presence {
  private readonly members = new Map<string, Member>();
  private readonly userOfConnection = new Map<string, string>();

  get connectionCount(): number {
    return this.userOfConnection.size;
  }

  has(connectionId: string): boolean {
    return this.userOfConnection.has(connectionId);
  }

  /** Adds a connection; `firstForUser` tells whether the user just appeared in the room. */
  add(connectionId: string, identity: Identity): { firstForUser: boolean } {
    if (this.userOfConnection.has(connectionId)) return { firstForUser: false };
    let member = this.members.get(identity.userId);
    const firstForUser = member === undefined;
    if (!member) {
      member = { identity, joinedAt: new Date(), connectionIds: new Set() };
      this.members.set(identity.userId, member);
    }
    member.connectionIds.add(connectionId);
    this.userOfConnection.set(connectionId, identity.userId);
    return { firstForUser };
  }

  /** Removes a connection; `lastForUser` tells whether the user has now left the room. Null when it was not there. */
  remove(connectionId: string): { identity: Identity; lastForUser: boolean } | null {
    const userId = this.userOfConnection.get(connectionId);
    if (userId === undefined) return null;
    this.userOfConnection.delete(connectionId);
    const member = this.members.get(userId)!;
    member.connectionIds.delete(connectionId);
    const lastForUser = member.connectionIds.size === 0;
    if (lastForUser) this.members.delete(userId);
    return { identity: member.identity, lastForUser };
  }

  users(): PresenceUser[] {
    return [...this.members.values()].map(toPresenceUser);
  }
}

function toPresenceUser(member: Member): PresenceUser {
  const { userId, displayName, avatar, role } = member.identity;
  return { userId, displayName, avatar, role, joinedAt: member.joinedAt.toISOString(), connections: member.connectionIds.size };
}
