// Registers every seed-compatible route; each is a thin mapping onto the submission service.
import type { HttpApp, HttpAppDeps } from '../types.js';
import { registerCodeRankRoutes } from './coderank.js';
import { registerCodeWarRoutes } from './codewar.js';
import { registerJustCodingCompileRoute } from './justcoding-compile.js';
import { registerJustCodingExecutionRoutes } from './justcoding-execution.js';

/** Seed 000 (`/execute`, `/submission/:id`, `/stats`), 003 (`/compile`, `/api/execution/*`) and 004 (`/run`); `/health` is shared with the native API. */
export function registerCompatRoutes(app: HttpApp, deps: HttpAppDeps): void {
  registerCodeRankRoutes(app, deps);
  registerJustCodingCompileRoute(app, deps);
  registerJustCodingExecutionRoutes(app, deps);
  registerCodeWarRoutes(app, deps);
}
