// Turns a submission body into the service's SubmitInput; identity comes from authentication, or from `actAs` for a service.
import { actAs } from '../../auth/index.js';
import type { Identity } from '../../domain/identity.js';
import type { LanguageStatus } from '../../languages/language.js';
import { requestFromDraft } from '../../submissions/normalise-request.js';
import type { SubmitInput } from '../../submissions/types.js';
import type { SubmissionBodyType } from '../../contract/rest/submission-request.js';

/**
 * The full SubmitInput of a native body for the authenticated user, or for the end user a service names in `actAs`
 * (403 from any other credential); the body's request fields are a draft as they are.
 */
export function toSubmitInput(body: SubmissionBodyType, user: Identity, languages: readonly LanguageStatus[]): SubmitInput {
  return {
    request: requestFromDraft(body, languages),
    user: body.actAs ? actAs(user, body.actAs) : user,
    roomId: body.roomId ?? null,
    priorityKind: body.priority ?? 'run',
    correlationId: body.correlationId ?? null,
    title: body.title ?? null,
  };
}
