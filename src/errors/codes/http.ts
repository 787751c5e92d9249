// Error codes of the HTTP layer: request validation and transport limits.
import { defineError } from '../app-error.js';

export const HTTP_ERRORS = {
  malformedJson: defineError('RUNLANE_ERR_HTTP_MALFORMED_JSON', 400, 'The request body is not valid JSON.', 'Send a valid JSON body with `Content-Type: application/json`.'),
  validation: defineError('RUNLANE_ERR_HTTP_VALIDATION', 400, 'A field of the request is missing, has the wrong type, or is out of range.', 'Fix the field named in the message; `/docs` shows every route\'s schema.'),
  unsupportedMediaType: defineError('RUNLANE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 415, 'The request body has a content type the route does not accept.', 'Send `Content-Type: application/json`.'),
  bodyTooLarge: defineError('RUNLANE_ERR_HTTP_BODY_TOO_LARGE', 413, 'The request body is larger than the configured cap.', 'Send less: code is capped at `limits.maxCodeBytes`, stdin at `limits.maxStdinBytes`.'),
  codeTooLarge: defineError('RUNLANE_ERR_HTTP_CODE_TOO_LARGE', 413, 'The source code is larger than the configured cap (default 64 KiB).', 'Shorten the program or raise `limits.maxCodeBytes` on the server.'),
  stdinTooLarge: defineError('RUNLANE_ERR_HTTP_STDIN_TOO_LARGE', 413, 'The stdin (or a test case\'s stdin) is larger than the configured cap (default 1 MiB).', 'Send less input or raise `limits.maxStdinBytes` on the server.'),
  tooManyFiles: defineError('RUNLANE_ERR_HTTP_TOO_MANY_FILES', 400, 'The submission has more files than allowed.', 'Send at most `limits.maxFiles` files.'),
  tooManyTestCases: defineError('RUNLANE_ERR_HTTP_TOO_MANY_TEST_CASES', 400, 'The submission has more test cases than allowed.', 'Send at most `limits.maxTestCases` test cases.'),
  argTooLarge: defineError('RUNLANE_ERR_HTTP_ARG_TOO_LARGE', 400, 'A command-line argument is longer than allowed (`limits.maxArgBytes`, default 4 KiB).', 'Shorten the argument named in the message, or pass large data through `stdin` or a file.'),
  argsTooLarge: defineError('RUNLANE_ERR_HTTP_ARGS_TOO_LARGE', 400, 'The command-line arguments together are longer than allowed (`limits.maxArgsTotalBytes`, default 64 KiB).', 'Send fewer or shorter arguments, or pass large data through `stdin` or a file.'),
  limitTooHigh: defineError('RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH', 400, 'A requested resource limit is above the server\'s maximum; limits are never silently clamped.', 'Request at most the maximum named in the message (see `GET /api/v1/languages` for defaults).'),
  batchTooLarge: defineError('RUNLANE_ERR_HTTP_BATCH_TOO_LARGE', 400, 'A batch has more submissions than allowed (20).', 'Split the batch into requests of at most 20 submissions.'),
  badRequest: defineError('RUNLANE_ERR_HTTP_BAD_REQUEST', 400, 'The request is malformed at the HTTP level (bad URL encoding, bad Content-Length, unsupported header values).', 'Send a well-formed HTTP request; the message names what was wrong.'),
  notFound: defineError('RUNLANE_ERR_HTTP_NOT_FOUND', 404, 'No route matches the method and path.', 'Check the path against `/docs`.'),
  rateLimited: defineError('RUNLANE_ERR_HTTP_RATE_LIMITED', 429, 'Too many requests from this client in the current window.', 'Wait for the `Retry-After` delay before sending more.'),
  internal: defineError('RUNLANE_ERR_HTTP_INTERNAL', 500, 'An unexpected fault in the service; details are in the server log, never in the response.', 'Retry; if it persists, report it with the `correlationId` of the request.'),
} as const;
