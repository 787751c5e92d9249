// A cluster of real runlane processes for tests (API, mixed and worker nodes on one queue prefix and one schema), plus a throwaway Redis and a cuttable TCP proxy for failure tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { dropSchemas, uniqueSchema, urlWithSchema } from './postgres.js';
import { deleteQueueKeys } from './redis.js';
import { SERVING, spawnRunlane, untilReady, type ReadyRunlane } from './runlane-process.js';
import { TEST_REDIS_URL } from './services.js';
import { TEST_JWT_SECRET } from './tokens.js';

/** What `runlane worker` logs once it takes jobs. */
export const WORKER_READY = /"msg":"runlane worker is running"/;

/** A TCP port free right now on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestClusterOptions {
  /** The queue's Redis. @defaultValue the test Redis */
  redisUrl?: string;
  /** The store. @defaultValue a schema of the cluster's own in the test database, dropped by `close()` */
  databaseUrl?: string;
  /** Environment for every node, over the cluster's own (prefix, lease, JWT secret). */
  env?: NodeJS.ProcessEnv;
  /** Lease of a claimed job, ms: short, so a killed worker's job comes back within seconds. @defaultValue 2000 */
  leaseMs?: number;
}

/** Nodes started on one queue prefix and one store; `close()` stops them and deletes what they left in Redis (and its own schema). */
export class TestCluster {
  readonly prefix = `test-${randomUUID()}`;
  readonly schema = uniqueSchema();
  readonly database: string;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'runlane-cluster-'));
  readonly #redisUrl: string;
  readonly #children = new Set<ChildProcess>();
  readonly #logs: Array<{ name: string; output: () => string }> = [];

  constructor(private readonly options: TestClusterOptions = {}) {
    this.#redisUrl = options.redisUrl ?? TEST_REDIS_URL;
    this.database = options.databaseUrl ?? urlWithSchema(this.schema);
  }

  /** `serve --workers <workers>`: an API node (0) or a mixed node; resolves with its base URL once it serves. */
  async api(workers = 0, env: NodeJS.ProcessEnv = {}): Promise<ReadyRunlane & { url: string }> {
    const node = await this.start(['serve', '--port', '0', '--data-dir', this.dataDir, '--workers', String(workers)], SERVING, env);
    return node as ReadyRunlane & { url: string };
  }

  /** `worker --concurrency <slots>`, with `extra` arguments (e.g. `--languages`). */
  worker(slots = 2, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ReadyRunlane> {
    return this.start(['worker', '--concurrency', String(slots), ...extra], WORKER_READY, env);
  }

  /** Spawns `runlane <args>` on the cluster's queue and store, resolving once `ready` is logged. */
  async start(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<ReadyRunlane> {
    const started = spawnRunlane([...args, '--redis', this.#redisUrl, '--database', this.database], {
      RUNLANE_REDIS__PREFIX: this.prefix,
      RUNLANE_SCHEDULER__LEASE_MS: String(this.options.leaseMs ?? 2_000),
      JWT_SECRET: TEST_JWT_SECRET,
      ...this.options.env,
      ...env,
    });
    // Tracked from the spawn on, so a node that never gets ready is stopped too.
    this.#children.add(started.child);
    started.child.once('exit', () => this.#children.delete(started.child));
    const node = await untilReady(started, ready);
    // Past readiness, keep only the last 64 KiB of output: the ready check would scan the whole log on every chunk.
    let tail = '';
    for (const stream of [started.child.stdout!, started.child.stderr!]) {
      stream.removeAllListeners('data');
      stream.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-65_536)));
    }
    this.#logs.push({ name: `${args[0]} #${this.#logs.length + 1}`, output: () => tail });
    return { ...node, output: () => tail };
  }

  /** The end of every node's output, for a failing test to print. */
  report(chars = 4_000): string {
    return this.#logs.map(({ name, output }) => `--- ${name} ---\n${output().slice(-chars)}`).join('\n');
  }

  /** Stops a node (SIGTERM, or SIGKILL for a crash) and resolves once it exited. */
  async stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopProcess(child, signal);
  }

  /** A Redis connection for looking behind the nodes' back; disconnect it when done. */
  redis(): Redis {
    return new Redis(this.#redisUrl, { maxRetriesPerRequest: 1 });
  }

  /** Stops every node, deletes the queue's keys if Redis answers, drops the cluster's own schema, removes temp files. */
  async close(): Promise<void> {
    await Promise.all([...this.#children].map((child) => stopProcess(child)));
    const admin = new Redis(this.#redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    admin.on('error', () => undefined);
    await admin
      .connect()
      .then(() => deleteQueueKeys(admin, this.prefix))
      .catch(() => undefined);
    admin.disconnect();
    if (this.options.databaseUrl === undefined) await dropSchemas();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Ends a process: SIGCONT (it may be stopped), SIGTERM, then SIGKILL after 20 s. Resolves with its exit code. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGCONT');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return exited.finally(() => clearTimeout(timer));
}

/** A redis-server of its own on a free port (no persistence), to kill and start again without touching the shared one. */
export class ThrowawayRedis {
  #child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it (again) on the same port, empty, and resolves once it answers PING. */
  async restart(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.#child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = new Redis(this.url, { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => undefined);
      const up = await probe.connect().then(() => probe.ping()).then(() => true, () => false);
      probe.disconnect();
      if (up) return;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kills it outright (its data is gone, as after a crash without persistence). */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A TCP proxy to a server (PostgreSQL) that a test can cut (every connection dropped, new ones refused) and restore on the same port. */
export class CuttableProxy {
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  /** Accepts connections again, on the same port. */
  restore(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connectTcp(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.once('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Drops every connection and refuses new ones, as when the database host goes away. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
