// Static TypeScript types of the REST bodies, for clients that want types without validating at run time.
import type { Static } from '@sinclair/typebox';
import type { ErrorBody, QueueEntryJson, QueueSnapshotJson } from './common.js';
import type { HealthJson, LanguagesJson, StatsJson } from './service.js';
import type { BatchBody, SubmissionBody } from './submission-request.js';
import type { AcceptedJson, BatchJson, SubmissionJson } from './submission-response.js';

/** Body of `POST /api/v1/submissions`. */
export type SubmissionRequest = Static<typeof SubmissionBody>;
/** Body of `POST /api/v1/submissions/batch`. */
export type BatchRequest = Static<typeof BatchBody>;
/** A submission and, once finished, its result (`GET /api/v1/submissions/:id`, `?wait` answers). */
export type SubmissionResponse = Static<typeof SubmissionJson>;
/** The 202 answer of a submission that is not finished yet. */
export type AcceptedResponse = Static<typeof AcceptedJson>;
/** Answer of `POST /api/v1/submissions/batch`. */
export type BatchResponse = Static<typeof BatchJson>;
/** One queued or running execution of the queue routes. */
export type QueueEntryResponse = Static<typeof QueueEntryJson>;
/** `GET /api/v1/queue` and `GET /api/v1/rooms/:roomId/queue`. */
export type QueueSnapshotResponse = Static<typeof QueueSnapshotJson>;
/** `GET /api/v1/languages`. */
export type LanguagesResponse = Static<typeof LanguagesJson>;
/** `GET /api/v1/stats`. */
export type StatsResponse = Static<typeof StatsJson>;
/** `GET /health`. */
export type HealthResponse = Static<typeof HealthJson>;
/** Every error answer. */
export type ErrorResponse = Static<typeof ErrorBody>;
