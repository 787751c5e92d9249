// The client address of a Socket.IO handshake, the same way the REST API sees it (X-Forwarded-For only behind a trusted proxy).
import type { IncomingHttpHeaders } from 'node:http';

/** The first X-Forwarded-For hop when `trustProxy` is set and the header is there, else the peer address. */
export function clientAddress(headers: IncomingHttpHeaders, peerAddress: string | undefined, trustProxy: boolean): string {
  const forwarded = headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return trustProxy && first ? first : (peerAddress ?? 'unknown');
}
