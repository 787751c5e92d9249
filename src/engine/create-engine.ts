// Builds the engine for this node: detects the installed toolchains once (through the sandbox), then wires the sandbox and the config.
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { CATALOGUE } from '../languages/catalogue.js';
import { detectLanguages, type DetectOptions } from '../languages/detect.js';
import type { LanguageDefinition } from '../languages/language.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { SandboxEngine } from './sandbox-engine.js';

export interface CreateEngineOptions {
  sandbox: Sandbox;
  /**
   * The loaded config; the engine reads `limits`, `scheduler.testCaseBatchSize` / `scheduler.compileCacheBytes`, and
   * keeps compile artifacts under `<sandbox.runRoot>/artifacts`.
   */
  config: Pick<Config, 'limits' | 'scheduler' | 'sandbox'>;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /**
   * Languages to offer.
   * @defaultValue the built-in catalogue
   */
  catalogue?: readonly LanguageDefinition[];
  /** Passed to toolchain detection (timeout); the probes run in `sandbox` unless `detect.probe` says otherwise. */
  detect?: DetectOptions;
}

/** Detects toolchains (a missing one is logged and listed as unavailable, never fatal) and returns a ready engine. */
export async function createEngine(options: CreateEngineOptions): Promise<SandboxEngine> {
  const logger = options.logger ?? silentLogger();
  const languages = await detectLanguages(options.catalogue ?? CATALOGUE, { probe: (probes) => options.sandbox.detectToolchains(probes), ...options.detect });
  for (const language of languages) {
    if (language.installed) logger.debug({ language: language.id, version: language.version }, 'language available');
    else logger.warn({ language: language.id, reason: language.unavailableReason }, `${language.displayName} is unavailable`);
  }
  const { limits, scheduler } = options.config;
  return new SandboxEngine({
    sandbox: options.sandbox,
    languages,
    limits: { run: limits.run, compile: limits.compile, max: limits.max },
    testCaseBatchSize: scheduler.testCaseBatchSize,
    compileCacheBytes: scheduler.compileCacheBytes,
    artifactDir: join(options.config.sandbox.runRoot, 'artifacts'),
    maxSubmissionOutputBytes: limits.maxSubmissionOutputBytes,
    logger,
  });
}
