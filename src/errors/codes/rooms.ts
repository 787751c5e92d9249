// Error codes of collaborative rooms and interactive runs.
import { defineError } from '../app-error.js';

export const ROOMS_ERRORS = {
  notJoined: defineError('RUNLANE_ERR_ROOMS_NOT_JOINED', 403, 'The socket has not joined the room it is acting in.', 'Emit `join-room {roomId}` first.'),
  staleSequence: defineError('RUNLANE_ERR_ROOMS_STALE_SEQUENCE', 409, 'The code change was based on an older room sequence than the current one; it was not applied.', 'Apply the current state sent with the error, then send the change again.'),
  badPayload: defineError('RUNLANE_ERR_ROOMS_BAD_PAYLOAD', 400, 'The event payload is missing fields or has the wrong types.', 'Send the payload documented for the event in docs/realtime.md.'),
  unknownEvent: defineError('RUNLANE_ERR_ROOMS_UNKNOWN_EVENT', 400, 'The server does not know this event name.', 'Use one of the events listed in docs/realtime.md.'),
  rateLimited: defineError('RUNLANE_ERR_ROOMS_RATE_LIMITED', 429, 'This socket sent too many events in a short time.', 'Slow down; events are accepted again after a second.'),
  payloadTooLarge: defineError('RUNLANE_ERR_ROOMS_PAYLOAD_TOO_LARGE', 413, 'The code, stdin chunk or document update is larger than allowed.', 'Send smaller chunks (see the limits in the message).'),
  badDocumentUpdate: defineError('RUNLANE_ERR_ROOMS_BAD_DOCUMENT_UPDATE', 400, 'A Yjs update could not be decoded or applied.', 'Resynchronise the document (sync step 1) and send updates produced by Yjs.'),
  tooManyRooms: defineError('RUNLANE_ERR_ROOMS_TOO_MANY_ROOMS', 429, 'This connection is already in the most rooms one connection may join.', 'Leave a room (`leave-room`) before joining another, or open another connection.'),
  ipConnectionLimit: defineError('RUNLANE_ERR_ROOMS_IP_CONNECTION_LIMIT', 429, 'This client address already has the most Socket.IO connections one address may have (`realtime.maxConnectionsPerIp`).', 'Close connections you no longer use; reuse one connection for several rooms.'),
  userConnectionLimit: defineError('RUNLANE_ERR_ROOMS_USER_CONNECTION_LIMIT', 429, 'This user already has the most Socket.IO connections one user may have (`realtime.maxConnectionsPerUser`).', 'Close connections (tabs) you no longer use; one connection can be in several rooms.'),
  connectionLimit: defineError('RUNLANE_ERR_ROOMS_CONNECTION_LIMIT', 503, 'The server has as many Socket.IO connections open as it allows (`realtime.maxConnections`, at most half of its open-file limit).', 'Retry a little later or connect to another node; the REST API keeps answering.'),
  interactiveNotStarted: defineError('RUNLANE_ERR_ROOMS_INTERACTIVE_NOT_STARTED', 409, 'stdin, signal or kill was sent on a stream that has no running program.', 'Send `start` first and wait for `started`.'),
  interactiveAlreadyStarted: defineError('RUNLANE_ERR_ROOMS_INTERACTIVE_ALREADY_STARTED', 409, 'A program is already running on this interactive stream.', 'Kill it or wait for `exit` before starting another.'),
  interactiveUnavailable: defineError('RUNLANE_ERR_ROOMS_INTERACTIVE_UNAVAILABLE', 503, 'Interactive runs are not offered by a cluster node: the shared queue may hand a run to any worker, and stdin reaches only a program running in the process that holds the socket.', 'Use an embedded node (`runlane serve` without --redis) for interactive runs, or run the program as a batch execution with its whole stdin.'),
} as const;
