// Socket.IO handshake authentication: the same Authenticator and tokens as the REST API.
import type { ExtendedError, Socket } from 'socket.io';
import { connectionIdentity, isAnonymous, type Authenticator } from '../../auth/index.js';
import type { Identity } from '../../domain/identity.js';
import { AppError, AUTH_ERRORS, isAppError } from '../../errors/index.js';
import type { Logger } from '../../logging/logger.js';
import { actingConnection } from './acting-connection.js';
import { clientAddress } from './client-address.js';
import { connectRefusal } from './connect-refusal.js';

/** What a connected socket carries: the identity proven at the handshake, never one the client claims later. */
export interface SocketData {
  identity: Identity;
}

/**
 * Reads `auth.token` (a raw token or `Bearer …`), falling back to the `Authorization` header, and refuses the
 * connection with the auth error's code in `connect_error.data`.
 */
export function handshakeAuth(authenticator: Authenticator, logger: Logger, trustProxy: boolean) {
  return (socket: Socket, next: (error?: ExtendedError) => void): void => {
    identify(socket, authenticator, trustProxy).then(
      (identity) => {
        (socket.data as SocketData).identity = identity;
        next();
      },
      (error: unknown) => {
        if (!isAppError(error)) logger.error({ err: error }, 'socket handshake authentication failed unexpectedly');
        next(connectRefusal(isAppError(error) ? error : new AppError(AUTH_ERRORS.invalidToken, 'the token could not be verified')));
      },
    );
  };
}

async function identify(socket: Socket, authenticator: Authenticator, trustProxy: boolean): Promise<Identity> {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  const token = auth?.token;
  if (token !== undefined && token !== null && typeof token !== 'string') {
    throw new AppError(AUTH_ERRORS.invalidToken, 'invalid token: `auth.token` must be a string');
  }
  const header = socket.handshake.headers.authorization;
  const identity = await authenticator.authenticate(token ?? header, clientAddress(socket.handshake.headers, socket.handshake.address, trustProxy));
  // A service may open a connection for one end user (`auth.actAs`), e.g. an interactive run, whose events carry no body.
  if (auth?.actAs !== undefined) return actingConnection('connect', { id: socket.id, identity }, { actAs: auth.actAs }).identity;
  // Tokenless browsers behind one address are different people: each connection is its own anonymous user, shown by
  // the name it claims (`auth.username` here, or later in `join-room`). The address still bounds how many connect.
  return isAnonymous(identity) ? connectionIdentity(auth?.username) : identity;
}
