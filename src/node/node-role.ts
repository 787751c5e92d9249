// What a process built by createNode does.

/**
 * - `all`: accepts work (REST, rooms) and runs it — the embedded default of `runlane serve`.
 * - `api`: accepts work only; `worker`: runs queued work only (both need a queue shared between processes).
 * - `cli`: a terminal run (`runlane run`, `runlane bench`): sandbox and engine, no store, queue or transports.
 */
export type NodeRole = 'api' | 'worker' | 'all' | 'cli';
