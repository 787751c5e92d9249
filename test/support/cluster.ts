// A cluster of real runlane processes for tests: API, mixed and worker nodes on one Redis prefix and one PostgreSQL schema.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { dropSchemas, uniqueSchema, urlWithSchema } from './postgres.js';
import { deleteQueueKeys } from './redis.js';
import { SERVING, spawnRunlane, untilReady, type ReadyRunlane } from './runlane-process.js';
import { TEST_REDIS_URL } from './services.js';
import { TEST_JWT_SECRET } from './tokens.js';

/** What `runlane worker` logs once it runs. */
export const WORKER_READY = /"msg":"runlane worker is running"/;

export interface TestClusterOptions {
  /** Environment for every node, over the cluster's own (prefix, lease, JWT secret). */
  env?: NodeJS.ProcessEnv;
  /** Lease of a claimed job, ms: short, so a killed worker's job comes back within seconds. @defaultValue 2000 */
  leaseMs?: number;
}

/** Nodes started on one queue prefix and one schema; `close()` stops them and deletes what they left in Redis and PostgreSQL. */
export class TestCluster {
  readonly prefix = `test-${randomUUID()}`;
  readonly schema = uniqueSchema();
  readonly database = urlWithSchema(this.schema);
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'runlane-cluster-'));
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly options: TestClusterOptions = {}) {}

  /** `serve --workers <workers>`: an API node (0) or a mixed node; resolves with its base URL once it serves. */
  async api(workers = 0): Promise<ReadyRunlane & { url: string }> {
    const node = await this.start(['serve', '--port', '0', '--data-dir', this.dataDir, '--workers', String(workers)], SERVING);
    return node as ReadyRunlane & { url: string };
  }

  /** `worker --concurrency <slots>`. */
  worker(slots = 2, extra: string[] = []): Promise<ReadyRunlane> {
    return this.start(['worker', '--concurrency', String(slots), ...extra], WORKER_READY);
  }

  /** Stops a node (SIGTERM, or SIGKILL for a crash) and resolves once it exited. */
  stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    return exited;
  }

  /** A Redis connection for looking behind the nodes' back; disconnect it when done. */
  redis(): Redis {
    return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  }

  async close(): Promise<void> {
    await Promise.all([...this.children].map((child) => this.stop(child)));
    const admin = this.redis();
    try {
      await deleteQueueKeys(admin, this.prefix);
    } finally {
      admin.disconnect();
    }
    await dropSchemas();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async start(args: string[], ready: RegExp): Promise<ReadyRunlane> {
    const env = {
      RUNLANE_REDIS__PREFIX: this.prefix,
      RUNLANE_SCHEDULER__LEASE_MS: String(this.options.leaseMs ?? 2_000),
      JWT_SECRET: TEST_JWT_SECRET,
      ...this.options.env,
    };
    const started = spawnRunlane([...args, '--redis', TEST_REDIS_URL, '--database', this.database], env);
    // Tracked from the spawn on, so a node that never gets ready is stopped too.
    this.children.add(started.child);
    started.child.once('exit', () => this.children.delete(started.child));
    const node = await untilReady(started, ready);
    // Past readiness, keep only the last 64 KiB of output: the ready check would scan the whole log on every chunk.
    let tail = '';
    for (const stream of [started.child.stdout!, started.child.stderr!]) {
      stream.removeAllListeners('data');
      stream.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-65_536)));
    }
    return { ...node, output: () => tail };
  }
}
