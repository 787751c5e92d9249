// REST bodies of the admin dead-letter routes: submissions the service failed for good, and their retry.
import { Type } from '@sinclair/typebox';
import { SubmissionJson } from './submission-response.js';

export const DeadLetterJson = Type.Object({
  submission: SubmissionJson,
  attempts: Type.Integer({ description: 'Starts in its last attempt cycle' }),
  deadLetteredAt: Type.String({ format: 'date-time', description: 'When the service failed it for good' }),
  retries: Type.Integer({ description: 'How many times an admin queued it again before' }),
});

export const DeadLettersJson = Type.Object({
  count: Type.Integer(),
  items: Type.Array(DeadLetterJson, { description: 'Newest first' }),
});

export const DeadLettersQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Most entries, newest first' })),
  before: Type.Optional(Type.String({ format: 'date-time', description: 'Only dead letters failed before this instant (for paging)' })),
});
