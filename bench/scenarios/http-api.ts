// The API under load: end-to-end executions/s over HTTP against the engine alone, and submit→202 latency against /health at the same offered load.
import { chmod, mkdir } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig, type Config } from '../../src/config/index.js';
import { executionRequest } from '../../src/domain/submission.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { silentLogger } from '../../src/logging/logger.js';
import { startServer } from '../../src/main.js';
import { createBwrapSandbox } from '../../src/sandbox/bwrap/create-bwrap-sandbox.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { closedLoop, type ClosedLoopResult } from '../lib/closed-loop.js';

export const name = 'http-api';
export const description =
  'print(1) in Python: executions/s over HTTP (POST ?wait=true) at concurrency 1/4/16/64 vs the engine alone at the same effective concurrency; ' +
  'submit→202 latency at a fixed offered load with workers saturated vs GET /health at the same load.';

const PROGRAM = 'print(1)\n';
const CONCURRENCY = [1, 4, 16, 64];

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  // The pool uids must be able to reach the run roots inside the private temporary directory.
  await chmod(ctx.tmpDir, 0o711);
  const config = benchConfig(ctx, 'server');
  const engineOnly = await measureEngine(ctx, benchConfig(ctx, 'engine'), [1, config.scheduler.maxConcurrent]);
  const server = await startServer(config, silentLogger());
  const rows: BenchRow[] = [];
  try {
    for (const concurrency of CONCURRENCY) {
      const requests = ctx.iterations(Math.max(40, concurrency * 4), concurrency);
      const http = await measureHttp(server.url, concurrency, requests);
      const baseline = engineOnly.get(Math.min(concurrency, config.scheduler.maxConcurrent))!;
      ctx.log(`concurrency ${concurrency}: ${http.perSecond.toFixed(1)} exec/s over HTTP, engine alone ${baseline.perSecond.toFixed(1)}`);
      rows.push({
        measure: `exec/s over HTTP, concurrency ${concurrency}`,
        value: http.perSecond,
        'p50 ms': http.p50,
        'p99 ms': http.p99,
        'baseline (engine alone)': baseline.perSecond,
        'baseline p50 ms': baseline.p50,
        ratio: http.perSecond / baseline.perSecond,
      });
    }
    const rate = 500;
    const seconds = Math.max(2, Math.round(10 * ctx.iterations(1, 0.2)));
    const health = await offeredLoad(`${server.url}/health`, 'GET', undefined, rate, seconds);
    const submit = await offeredLoad(`${server.url}/api/v1/submissions`, 'POST', JSON.stringify({ language: 'python', source: PROGRAM }), rate, seconds);
    ctx.log(`submit→202 at ${rate} req/s: p50 ${submit.p50} ms, p99 ${submit.p99} ms (${submit.non2xx} non-2xx)`);
    rows.push({
      measure: `submit→202 latency at ${rate} req/s for ${seconds} s, workers saturated`,
      value: submit.p50,
      'p50 ms': submit.p50,
      'p99 ms': submit.p99,
      'baseline (engine alone)': null,
      'baseline p50 ms': health.p50,
      ratio: submit.p50 / Math.max(0.01, health.p50),
      note: `baseline: GET /health at the same load (p99 ${health.p99} ms); ${submit.requests} submits, ${submit.non2xx} not 202`,
    });
  } finally {
    // Thousands of submissions are still queued: a short grace marks them failed instead of running them all.
    await server.close();
  }
  return rows;
}

function benchConfig(ctx: BenchContext, role: string): Readonly<Config> {
  return loadConfig({
    env: {},
    flags: {
      'server.port': 0,
      dataDir: join(ctx.tmpDir, `${role}-data`),
      'sandbox.runRoot': join(ctx.tmpDir, `${role}-run-root`),
      'sandbox.uidBase': 500_000 + randomInt(0, 1000) * 1024,
      'sandbox.cgroupRoot': `runlane-bench-${role}-${process.pid}`,
      'rateLimit.maxRequests': 10_000_000,
      'scheduler.maxQueued': 100_000,
      // One anonymous client stands for every user here, so the per-user caps must not throttle it.
      'scheduler.userMaxQueued': 100_000,
      'scheduler.userMaxRunning': 100_000,
      'shutdown.graceMs': 1,
      'log.level': 'silent',
    },
  });
}

/** Executions/s of the engine alone, called directly with `concurrency` executions in flight. */
async function measureEngine(ctx: BenchContext, config: Readonly<Config>, levels: number[]): Promise<Map<number, ClosedLoopResult>> {
  await mkdir(config.sandbox.runRoot, { recursive: true });
  const sandbox = await createBwrapSandbox(config.sandbox, silentLogger());
  const results = new Map<number, ClosedLoopResult>();
  try {
    const engine = await createEngine({ sandbox, config });
    const request = executionRequest('python', [{ name: 'main.py', content: PROGRAM }]);
    for (const concurrency of levels) {
      results.set(
        concurrency,
        await closedLoop(concurrency, ctx.iterations(Math.max(40, concurrency * 20), concurrency), async () => {
          const result = await engine.execute(request);
          if (result.stdout !== '1\n') throw new Error(`unexpected output ${JSON.stringify(result.stdout)}`);
        }),
      );
    }
  } finally {
    await sandbox.close();
  }
  return results;
}

/** Executions/s end to end: each worker submits with ?wait=true and checks the output. */
function measureHttp(url: string, concurrency: number, requests: number): Promise<ClosedLoopResult> {
  return closedLoop(concurrency, requests, async () => {
    const response = await fetch(`${url}/api/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', source: PROGRAM }),
    });
    const body = (await response.json()) as { status?: string; stdout?: string };
    if (response.status !== 200 || body.stdout !== '1\n') throw new Error(`unexpected answer ${response.status} ${JSON.stringify(body)}`);
  });
}

/** A fixed offered load (requests per second, not a closed loop), as autocannon measures it. */
async function offeredLoad(url: string, method: 'GET' | 'POST', body: string | undefined, rate: number, seconds: number) {
  const result = await autocannon({
    url,
    method,
    ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
    connections: 50,
    overallRate: rate,
    duration: seconds,
  });
  return { p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, non2xx: result.non2xx };
}
