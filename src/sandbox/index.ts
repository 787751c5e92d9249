// Public surface of the sandbox folder: the implementation-neutral interface only; implementations are built by their own factories.
export type * from './sandbox.js';
export { SANDBOX_PATH } from './sandbox.js';
