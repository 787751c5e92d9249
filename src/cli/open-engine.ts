// Opens what a command needs to run programs: configuration, logger and a `cli` node (sandbox and engine), and closes them again.
import { loadConfig, type Config } from '../config/index.js';
import type { Engine } from '../engine/engine.js';
import { isAppError } from '../errors/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { createNode } from '../node/create-node.js';
import { CliUsageError } from './cli-usage-error.js';

export interface OpenEngine {
  config: Readonly<Config>;
  logger: Logger;
  engine: Engine;
  close(): Promise<void>;
}

export interface OpenEngineOptions {
  configFile?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Config overrides from flags (dotted paths). */
  flags: Record<string, unknown>;
  /** Where logs go: the terminal's stderr, so stdout stays the program's. */
  logDestination: NodeJS.WritableStream;
}

/** Loads the config (a flag that breaks it is a usage error), then starts the sandbox and the engine through the composition root. */
export async function openEngine(options: OpenEngineOptions): Promise<OpenEngine> {
  let config: Readonly<Config>;
  try {
    // A terminal run is quiet unless LOG_LEVEL asks otherwise: its stdout and stderr belong to the program.
    config = loadConfig({ file: options.configFile ?? null, env: options.env, listens: false, flags: { 'log.level': options.env.LOG_LEVEL ?? 'warn', ...options.flags } });
  } catch (error) {
    if (isAppError(error) && Object.keys(options.flags).some((key) => error.message.includes(key))) throw new CliUsageError(error.message, { cause: error });
    throw error;
  }
  const logger = createLogger({ level: config.log.level, destination: options.logDestination });
  const node = await createNode(config, { role: 'cli', logger });
  return { config, logger, engine: node.engine, close: () => node.close() };
}

/** The configured maxima without any flags, to derive flag defaults that stay within them. */
export function baseConfig(configFile: string | undefined, env: NodeJS.ProcessEnv): Readonly<Config> {
  return loadConfig({ file: configFile ?? null, env, listens: false });
}
