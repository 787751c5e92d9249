// Cost of moving a fresh process into its run cgroups (the write to cgroup.procs), which can stall on an RCU grace period.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { detectCgroups } from '../../src/sandbox/cgroup/detect-cgroups.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { median, percentile } from '../lib/stats.js';

export const name = 'cgroup-attach';
export const description =
  '`sh -c "exec true"` vs. the same shell first writing its pid into each run cgroup (memory, pids, cpuacct on v1; one group on v2): how often and how long the attach stalls.';

/** An attach slower than the baseline median by this much counts as a stall. */
const STALL_MS = 4;

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const { driver } = await detectCgroups({ cgroupRoot: `runlane-bench-${process.pid}` });
  if (driver.version === 'none') return [{ cgroups: 'none', note: 'no usable cgroups on this host: nothing to attach' }];
  const runs = ctx.iterations(150, 20);
  const baseline: number[] = [];
  const attached: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      baseline.push(await timedSpawn([]));
      const group = await driver.create(randomUUID(), 1);
      try {
        attached.push(await timedSpawn(group.procsFiles));
      } finally {
        await group.remove();
      }
    }
  } finally {
    await driver.dispose();
  }
  const base = median(baseline);
  const stalls = attached.filter((ms) => ms - base > STALL_MS).length;
  return [
    { cgroups: driver.version, spawn: 'sh -c exec true', 'median ms': base, 'p90 ms': percentile(baseline, 90), 'p99 ms': percentile(baseline, 99), 'stalled runs': '' },
    {
      cgroups: driver.version,
      spawn: `sh joins ${driver.version === 'v1' ? 3 : 1} group(s), exec true`,
      'median ms': median(attached),
      'p90 ms': percentile(attached, 90),
      'p99 ms': percentile(attached, 99),
      'stalled runs': `${((100 * stalls) / runs).toFixed(0)}% (> ${STALL_MS} ms over baseline)`,
    },
  ];
}

function timedSpawn(procsFiles: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'for f; do echo $$ > "$f" || exit 1; done; exec true', 'attach', ...procsFiles], { stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`attach exited ${code}`))));
  });
}
