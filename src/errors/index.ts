// Public surface of the errors module.
export { AppError, defineError, isAppError, type AppErrorOptions, type ErrorDefinition } from './app-error.js';
export * from './codes/index.js';
