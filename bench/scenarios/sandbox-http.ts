// End to end over HTTP: Python `print(1)` through a real `runlane serve` (`?wait=true`, keep-alive) vs. spawning `python3 -c 'print(1)'` bare.
import { chmod } from 'node:fs/promises';
import { loadConfig } from '../../src/config/index.js';
import { distributionOf } from '../../src/cli/commands/bench-chart.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { median, spread } from '../lib/stats.js';
import { spawnBare } from '../lib/bare-spawn.js';
import { keepAliveClient } from '../lib/keep-alive-post.js';
import { isolatedSandboxEnv, SERVING, startRunlane, stopRunlane, type RunlaneChild } from '../lib/runlane-process.js';
import { targetFigure } from '../lib/targets.js';
import { interleavedTimes, throughputRounds, timeLeft, windowFor, type Variant } from '../lib/variants.js';

export const name = 'sandbox-http';
export const quickWeight = 2;
export const description =
  'Python `print(1)` end to end: POST /api/v1/submissions?wait=true over keep-alive connections to a real `runlane serve` process (per sandbox implementation), ' +
  'vs. spawning `python3 -c "print(1)"` bare from the benchmark process: median latency at concurrency 1 (interleaved) and throughput at saturation (2 × cores in flight), in repeats.';

const SUBMISSION = { language: 'python', source: 'print(1)\n' };
const IMPLEMENTATION_ENV = 'RUNLANE_SANDBOX__IMPLEMENTATION';
/** Time a quick pass keeps for stopping the servers. */
const STOP_RESERVE_MS = 2_000;

interface Server {
  label: string;
  node: RunlaneChild;
  client: ReturnType<typeof keepAliveClient>;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  // The pool uids must be able to reach the run roots inside the private temporary directory.
  await chmod(ctx.tmpDir, 0o711);
  const saturation = 2 * ctx.cores;
  const servers: Server[] = [];
  const rows: BenchRow[] = [];
  try {
    const starting = performance.now();
    // Both servers are up at once and measured interleaved, so the host's load hits them and the bare spawns alike.
    const started = await Promise.allSettled(implementations(ctx).map(async ({ label, env }) => {
      const node = await startRunlane(['serve', '--port', '0'], { ...serverEnv(ctx, label), ...env }, SERVING);
      servers.push({ label, node, client: keepAliveClient(node.url!, saturation) });
    }));
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    servers.sort((a, b) => a.label.localeCompare(b.label));
    ctx.log(`servers up in ${Math.round(performance.now() - starting)} ms: ${servers.map((server) => `${server.label} at ${server.node.url}`).join(', ')}`);

    const variants: Variant[] = [
      { label: 'bare spawn', action: () => spawnBare('/usr/bin/python3', ['-c', 'print(1)'], '1\n') },
      ...servers.map((server) => ({ label: `HTTP, ${server.label}`, action: () => submit(server) })),
    ];
    const repeats = ctx.quick ? 3 : 5;
    // A quick pass measures in what its share leaves after the servers' start: 45 % per-run times, the rest throughput.
    const left = timeLeft(ctx.deadline, STOP_RESERVE_MS);
    const end = left === null ? null : performance.now() + left;
    const times = await interleavedTimes(variants, repeats, { runs: ctx.iterations(100, 20), budgetMs: left === null ? 15_000 : (0.45 * left) / repeats }, ctx.quick ? 2 : 5);
    const slowest = Math.max(...times.map((sample) => median(sample.flat())));
    const windowLeft = timeLeft(end, 0, 500);
    const windowMs = windowLeft === null ? 3_000 : windowFor(windowLeft, repeats * variants.length, slowest);
    const rates = await throughputRounds(variants, [saturation], repeats, windowMs);
    ctx.chart({
      kind: 'distribution',
      title: `Python print(1): wall time per execution at concurrency 1 (${times[0]!.flat().length} each in ${repeats} repeats, interleaved)`,
      unit: 'ms',
      series: variants.map((variant, index) => ({ label: variant.label, stats: distributionOf(times[index]!.flat()) })),
    });
    ctx.chart({
      kind: 'lines',
      title: `Python print(1): executions/s at saturation (${saturation} in flight), ${repeats} windows of ${Math.round(windowMs)} ms`,
      xLabel: 'in flight',
      yLabel: 'executions/s',
      series: variants.map((variant, index) => ({ label: variant.label, points: [{ x: saturation, ...spread(rates[index]![0]!) }] })),
    });
    for (const [index, variant] of variants.entries()) {
      const latency = times[index]!.map((repeat, r) => median(repeat) / median(times[0]![r]!));
      const throughput = rates[index]![0]!.map((rate, r) => rate / rates[0]![0]![r]!);
      rows.push({
        variant: variant.label,
        'median ms (c=1)': median(times[index]!.map((repeat) => median(repeat))),
        'latency ratio': index === 0 ? null : median(latency),
        'latency ratio min – max': index === 0 ? null : range(latency),
        [`exec/s at ${saturation} in flight`]: median(rates[index]![0]!),
        'throughput ratio': index === 0 ? null : median(throughput),
        'throughput ratio min – max': index === 0 ? null : range(throughput),
      });
      if (index === 0) continue;
      ctx.target(targetFigure('Python print(1) over HTTP: throughput ratio to bare spawns at saturation', variant.label, '×', throughput, { atLeast: 0.75 }));
      ctx.target(targetFigure('Python print(1) over HTTP: median latency ratio to bare, concurrency 1', variant.label, '×', latency, { atMost: 1.3 }));
    }
    ctx.log(rows.map((row) => `${row.variant}: ${Number(row['median ms (c=1)']).toFixed(1)} ms, ${Number(row[`exec/s at ${saturation} in flight`]).toFixed(1)}/s`).join('; '));
  } finally {
    for (const server of servers) {
      server.client.close();
      await stopRunlane(server.node);
    }
  }
  return rows;
}

/**
 * The default implementation always; `bwrap` as well once the configuration knows `sandbox.implementation` (an unknown
 * environment key stops the server, so it is only set when the schema accepts it).
 */
function implementations(ctx: BenchContext): { label: string; env: NodeJS.ProcessEnv }[] {
  let chosen: unknown;
  try {
    chosen = (loadConfig({ env: { [IMPLEMENTATION_ENV]: 'bwrap' } }).sandbox as Record<string, unknown>).implementation;
  } catch {
    chosen = undefined;
  }
  if (chosen !== 'bwrap') {
    ctx.log(`the configuration has no sandbox.implementation yet: measuring the default implementation only`);
    return [{ label: 'default implementation', env: {} }];
  }
  const fallback = (loadConfig({ env: {} }).sandbox as Record<string, unknown>).implementation;
  return [
    { label: `${String(fallback)} (default)`, env: {} },
    ...(fallback === 'bwrap' ? [] : [{ label: 'bwrap', env: { [IMPLEMENTATION_ENV]: 'bwrap' } }]),
  ];
}

function serverEnv(ctx: BenchContext, label: string): NodeJS.ProcessEnv {
  return {
    ...isolatedSandboxEnv(ctx.tmpDir, label.replace(/\W+/g, '-')),
    RUNLANE_RATE_LIMIT__MAX_REQUESTS: '10000000',
    RUNLANE_SCHEDULER__MAX_QUEUED: '100000',
    // One anonymous client stands for every user here, so the per-user caps must not throttle it.
    RUNLANE_SCHEDULER__USER_MAX_QUEUED: '100000',
    RUNLANE_SCHEDULER__USER_MAX_RUNNING: '100000',
    RUNLANE_SHUTDOWN__GRACE_MS: '1000',
  };
}

async function submit(server: Server): Promise<void> {
  const answer = await server.client.post('/api/v1/submissions?wait=true', SUBMISSION);
  const body = answer.body as { stdout?: string };
  if (answer.status !== 200 || body.stdout !== '1\n') throw new Error(`${server.label}: unexpected answer ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
}

function range(values: readonly number[]): string {
  const { min, max } = spread(values);
  return `${min.toFixed(2)} – ${max.toFixed(2)}`;
}
