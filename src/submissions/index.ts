// Public surface of the submissions module.
export { SubmissionService, type ServiceHealth, type ServiceStats, type SubmissionServiceDeps } from './submission-service.js';
export type { InteractiveSession } from './interactive-registry.js';
export type { RunOutcome, SubmissionEvent, SubmitInput, SubmitOutcome } from './types.js';
export { EMBEDDED_NODE_ID, MAX_ATTEMPTS, type NodeOptions } from './node-options.js';
export { normaliseRequest, requestFromDraft, type NormaliseContext, type RequestDraft, type ResolvedRequest } from './normalise-request.js';
export { recoveryRuleFor, type RecoveryRule } from './recovery-rule.js';
export { RemoteOutcomeRelay, type RemoteOutcomeRelayDeps } from './remote-outcome-relay.js';
