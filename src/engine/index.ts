// Public surface of the engine module.
export type { Engine, EngineEvent, ExecuteOptions, InteractiveStart } from './engine.js';
export { SandboxEngine, type SandboxEngineOptions } from './sandbox-engine.js';
export { createEngine, type CreateEngineOptions } from './create-engine.js';
export type { CompileCacheStats } from './compile-cache.js';
export type { LimitSettings } from './stage-limits.js';
