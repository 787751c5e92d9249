// Builds the whole real stack for integration tests: config with temp dirs, then the same node `runlane serve` builds (real sandbox, SQLite file, memory queue, service, HTTP app), not listening.
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../../src/auth/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { silentLogger, type Logger } from '../../src/logging/logger.js';
import type { Metrics } from '../../src/metrics/index.js';
import { createNode } from '../../src/node/create-node.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import type { Store } from '../../src/store/store.js';
import type { SubmissionService } from '../../src/submissions/index.js';
import { TEST_JWT_SECRET } from './tokens.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Config overrides, as a partial config tree (arrays replace, objects merge). */
export type ConfigOverrides = DeepPartial<Config>;

export interface TestStackOptions {
  /** Use this SQLite file instead of a fresh one (e.g. to restart on a previous stack's data). */
  databasePath?: string;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** Skip the service's start() (recovery and dispatch); for tests that drive it themselves. @defaultValue false */
  skipStart?: boolean;
}

export interface TestStack {
  app: FastifyInstance;
  service: SubmissionService;
  store: Store;
  config: Readonly<Config>;
  authenticator: Authenticator;
  metrics: Metrics;
  sandbox: Sandbox;
  /** The SQLite file of this stack. */
  databasePath: string;
  /** Closes the node as `runlane serve` does on SIGTERM (service, app, store, sandbox), then removes temp dirs. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Defaults that suit tests: a JWT secret with anonymous use explicitly on (as `auto` turns it off once credentials are
 * configured), loopback bind, a rate limit no test hits by accident,
 * room caps that do not get in the way, and short waits.
 */
const TEST_DEFAULTS: ConfigOverrides = {
  server: { host: '127.0.0.1', port: 0 },
  auth: { jwtSecret: TEST_JWT_SECRET, anonymous: true },
  rateLimit: { maxRequests: 1_000_000, windowMs: 60_000 },
  scheduler: { maxWaitMs: 30_000 },
  retention: { sweepIntervalMs: 3_600_000 },
  shutdown: { graceMs: 2_000 },
  log: { level: 'silent' },
};

/** Builds and starts the real stack; `close()` it in `afterAll`/`afterEach`. */
export async function createTestStack(overrides: ConfigOverrides = {}, options: TestStackOptions = {}): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'runlane-test-data-'));
  // The sandbox makes its run root traversable (0711) for the pool uids; a dedicated temp dir keeps runs of parallel stacks apart.
  const runRoot = await mkdtemp(join(tmpdir(), 'runlane-test-run-'));
  const logger = options.logger ?? silentLogger();
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dataDir, { recursive: true, force: true }), () => rm(runRoot, { recursive: true, force: true })];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };
  try {
    // A random uid range keeps this stack's runs apart from other test processes' runs on the same host.
    const uidBase = 100_000 + randomInt(0, 4_000) * 1_024;
    const config = loadConfig({
      env: {},
      flags: flatten(mergeTrees(mergeTrees(TEST_DEFAULTS, { dataDir, sandbox: { runRoot, uidBase } }), overrides)),
    });
    const databasePath = options.databasePath ?? join(dataDir, 'runlane.db');
    const node = await createNode(config, { role: 'all', logger, databasePath, start: !options.skipStart, defaultMetrics: false });
    cleanups.push(() => node.close());
    const { app, service, store, authenticator, metrics, sandbox } = node;
    await app.ready();
    let closed: Promise<void> | null = null;
    return {
      app,
      service,
      store,
      config,
      authenticator,
      metrics,
      sandbox,
      databasePath,
      close: () => (closed ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeTrees(base: Tree, override: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = isTree(value) && isTree(merged[key]) ? mergeTrees(merged[key] as Tree, value) : value;
  }
  return merged;
}

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`, the loader's flag form; arrays and nulls are leaf values. */
function flatten(tree: Tree, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isTree(value)) Object.assign(flat, flatten(value, path));
    else flat[path] = value;
  }
  return flat;
}
