// The public contract: REST bodies and realtime payloads a web client may import; it depends on nothing internal.
export type * from './rest/types.js';
export * from './rest/common.js';
export * from './rest/service.js';
export * from './rest/submission-request.js';
export * from './rest/submission-response.js';
export * from './realtime.js';
export * from './seed-aliases.js';
export { limitSetSchema, requestedLimitsSchema } from './limits.js';
export * from './rest/cluster.js';
