// Public surface of the HTTP layer.
export { buildHttpApp } from './app.js';
export { toAppError } from './error-handler.js';
export { toSubmissionJson, toAcceptedJson, toPublicUser } from './mappers/submission-json.js';
export type { HttpApp, HttpAppDeps } from './types.js';
