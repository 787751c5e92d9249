// The whole error catalogue, gathered from each area's file.
import type { ErrorDefinition } from '../app-error.js';
import { AUTH_ERRORS } from './auth.js';
import { CONFIG_ERRORS } from './config.js';
import { ENGINE_ERRORS } from './engine.js';
import { HTTP_ERRORS } from './http.js';
import { QUEUE_ERRORS } from './queue.js';
import { ROOMS_ERRORS } from './rooms.js';
import { SANDBOX_ERRORS } from './sandbox.js';
import { STORE_ERRORS } from './store.js';

export { AUTH_ERRORS, CONFIG_ERRORS, ENGINE_ERRORS, HTTP_ERRORS, QUEUE_ERRORS, ROOMS_ERRORS, SANDBOX_ERRORS, STORE_ERRORS };

/** Every error definition of the service, in documentation order. */
export const ERROR_CATALOGUE: readonly ErrorDefinition[] = [
  ...Object.values(CONFIG_ERRORS),
  ...Object.values(SANDBOX_ERRORS),
  ...Object.values(ENGINE_ERRORS),
  ...Object.values(QUEUE_ERRORS),
  ...Object.values(STORE_ERRORS),
  ...Object.values(HTTP_ERRORS),
  ...Object.values(AUTH_ERRORS),
  ...Object.values(ROOMS_ERRORS),
];
