// The one place that picks the Sandbox implementation: bwrap + cgroups, with the resident or the per-run starter (sandbox.implementation).
import type { Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { createBwrapSandbox } from '../sandbox/bwrap/create-bwrap-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';

/** Detects the host and starts the sandbox (refuses with an AppError when the host cannot run programs safely). */
export function createSandbox(config: Pick<Config, 'sandbox'>, logger: Logger): Promise<Sandbox> {
  return createBwrapSandbox(config.sandbox, logger);
}
