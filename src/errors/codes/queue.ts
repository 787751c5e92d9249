// Error codes of the scheduler: admission caps, cancellation, idempotency.
import { defineError } from '../app-error.js';

export const QUEUE_ERRORS = {
  roomQueueFull: defineError('RUNLANE_ERR_QUEUE_ROOM_FULL', 429, 'The room already has the maximum number of queued executions.', 'Wait for the room\'s queue to drain (see `Retry-After`) and submit again.'),
  userBusy: defineError('RUNLANE_ERR_QUEUE_USER_BUSY', 429, 'You already have an execution queued or running in this room; one at a time per user per room.', 'Wait for your current execution to finish, or cancel it, then submit again.'),
  userQuota: defineError('RUNLANE_ERR_QUEUE_USER_QUOTA', 429, 'You already have the most executions queued on this node that one user may have (`scheduler.userMaxQueued`, default 50), counting every room and none.', 'Wait for some of your executions to start (see `Retry-After`) or cancel some, then submit again.'),
  keyQuota: defineError('RUNLANE_ERR_QUEUE_KEY_QUOTA', 429, 'The API key you use already has the most executions queued on this node that one key may have (`scheduler.keyMaxQueued`, default 1000), all of its users together.', 'Wait for some of the key\'s executions to start (see `Retry-After`), or spread the work over time.'),
  globalQueueFull: defineError('RUNLANE_ERR_QUEUE_FULL', 503, 'The node\'s queue is at its configured capacity.', 'Retry after the `Retry-After` delay; the service is under heavy load.'),
  notFound: defineError('RUNLANE_ERR_QUEUE_NOT_FOUND', 404, 'No submission has this id.', 'Check the id returned by the submit call.'),
  cancelForbidden: defineError('RUNLANE_ERR_QUEUE_CANCEL_FORBIDDEN', 403, 'Only the user who submitted an execution may cancel it.', 'Cancel only your own executions.'),
  notCancellable: defineError('RUNLANE_ERR_QUEUE_NOT_CANCELLABLE', 409, 'The execution is already running or finished, so it can no longer be cancelled.', 'Nothing to do: wait for its result. Interactive runs are stopped with `kill` on their stream.'),
  shuttingDown: defineError('RUNLANE_ERR_QUEUE_SHUTTING_DOWN', 503, 'The node is shutting down and accepts no new work.', 'Retry against another node or after the restart.'),
  idempotencyMismatch: defineError('RUNLANE_ERR_QUEUE_IDEMPOTENCY_MISMATCH', 409, 'This correlationId was already used for a different request (another language, source, input, test cases, limits, room, priority or title).', 'Repeat the original request unchanged to get its submission, or send the new request with a new correlationId.'),
  duplicateId: defineError('RUNLANE_ERR_QUEUE_DUPLICATE_ID', 409, 'An execution with this id is already queued or running on this node.', 'Submit under a new id; to repeat a request safely, reuse its `correlationId` instead.'),
  unavailable: defineError('RUNLANE_ERR_QUEUE_UNAVAILABLE', 503, 'The queue backend (Redis) cannot be reached.', 'Retry later; the node recovers by itself when the backend returns.'),
  contended: defineError('RUNLANE_ERR_QUEUE_CONTENDED', 503, 'The shared queue changed under this request too many times in a row (many nodes admitting at once), so it was not admitted.', 'Retry in a moment; nothing was queued.'),
  languageUnserved: defineError('RUNLANE_ERR_QUEUE_LANGUAGE_UNSERVED', 503, 'No live worker of the cluster runs this language, so the execution was not queued (nothing was stored).', 'Start a worker that serves the language (`runlane worker --languages <id>`), or submit in a language `GET /api/v1/workers` lists.'),
} as const;
