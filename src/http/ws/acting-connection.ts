// A service's socket naming the end user of one room event (`actAs` in `execute-code` and `cancel-execution`) or of the whole connection (`auth.actAs`), as REST bodies do.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { actAs } from '../../auth/index.js';
import { ActAsBody } from '../../contract/rest/submission-request.js';
import { AppError, ROOMS_ERRORS } from '../../errors/index.js';
import type { RoomConnection } from '../../rooms/index.js';

/** Events whose payload may carry `actAs`: those that create or cancel work an end user owns, and the handshake (`auth.actAs`). */
const ACTING_EVENTS: ReadonlySet<string> = new Set(['execute-code', 'cancel-execution', 'connect']);

const checkActAs = TypeCompiler.Compile(ActAsBody);

/**
 * The connection an event runs as: the socket's own, or, when a service names an end user in `actAs`, that end user on
 * the same connection (so room membership still holds). Refused with 403 from sockets that are not services.
 */
export function actingConnection(event: string, connection: RoomConnection, payload: unknown): RoomConnection {
  if (!ACTING_EVENTS.has(event) || typeof payload !== 'object' || payload === null || !('actAs' in payload)) return connection;
  const claimed = (payload as { actAs: unknown }).actAs;
  if (claimed === undefined) return connection;
  if (!checkActAs.Check(claimed)) {
    throw new AppError(ROOMS_ERRORS.badPayload, `${event}: \`actAs\` must be { userId, displayName?, avatar?, role? } with a userId of 1 to 200 characters`, {
      details: { event, path: '/actAs' },
    });
  }
  return { id: connection.id, identity: actAs(connection.identity, claimed) };
}
