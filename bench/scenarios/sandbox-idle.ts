// What an idle warm pool costs: memory per waiting sandbox (its processes' RSS and PSS, its slot's tmpfs) and CPU while nothing runs.
import { randomInt } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/logging/logger.js';
import { createBwrapSandbox } from '../../src/sandbox/bwrap/create-bwrap-sandbox.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { median, spread } from '../lib/stats.js';
import { children, cpuMs, descendants, readMemory, tmpfsUsage } from '../lib/proc-usage.js';
import { targetFigure } from '../lib/targets.js';

export const name = 'sandbox-idle';
export const quickWeight = 1.2;
export const description =
  'An idle warm pool (the sandboxes the pool keeps waiting, one per direct child of Node) per implementation: RSS and PSS summed over the process tree of one waiting sandbox (from /proc), the used pages of its slot tmpfs, ' +
  'and CPU of the sandbox processes and of the Node process over an idle window (10 s; --quick 3 s) cut into slices (CPU from schedstat, ns); baseline: the Node process idle without a sandbox (half as long), in the same run.';

const IMPLEMENTATIONS = ['resident', 'bwrap'] as const;
const LIMITS = { cpuTimeMs: 2000, wallTimeMs: 10_000, memoryMb: 64, processes: 8, outputBytes: 4096, fileSizeBytes: 4096, workDirMb: 64, openFiles: 64, stackMb: 8 };

interface Slice {
  seconds: number;
  nodeCpuMs: number;
  sandboxCpuMs: number;
  /** Processes that appeared or vanished under the Node process during the slice: an idle pool should have none. */
  churn: number;
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  await chmod(ctx.tmpDir, 0o711);
  const windowMs = ctx.quick ? 3_000 : 10_000;
  const slices = ctx.quick ? 3 : 5;
  const rows: BenchRow[] = [];
  const before = new Set(await descendants(process.pid));

  const baseline = await measureCpu(before, windowMs / slices / 2, slices);
  const baselineRate = baseline.map((slice) => slice.nodeCpuMs / slice.seconds);
  rows.push({ variant: 'no sandbox (baseline)', 'waiting sandboxes': 0, 'Node CPU ms/s': median(baselineRate), 'Node CPU ms/s min – max': range(baselineRate) });

  for (const implementation of IMPLEMENTATIONS) {
    const runRoot = join(ctx.tmpDir, `run-root-${implementation}`);
    const sandbox = await createBwrapSandbox(
      { implementation, bwrapPath: 'bwrap', runRoot, uidBase: 450_000 + randomInt(0, 1000) * 64, uidCount: 64, cgroupRoot: `runlane-bench-idle-${process.pid}-${implementation}`, requireCgroups: false },
      silentLogger(),
    );
    try {
      if (sandbox.capabilities.implementation !== implementation) throw new Error(`implementation '${implementation}' was asked for but the sandbox runs '${sandbox.capabilities.implementation}' (is native/build/runlane-resident-init built?)`);
      await sandbox.run({ argv: ['true'], limits: LIMITS, label: 'bench' });
      const waiting = await settledPool(before);
      const memories: Awaited<ReturnType<typeof poolMemory>>[] = [];
      const cpu = await measureCpu(before, windowMs / slices, slices, async () => void memories.push(await poolMemory(before, runRoot)));
      const perSandbox = memories;
      const memory = { processes: median(memories.map((sample) => sample.processes)), rssKb: median(memories.map((sample) => sample.rssKb)), pssKb: median(memories.map((sample) => sample.pssKb)), tmpfsKb: median(memories.map((sample) => sample.tmpfsKb)) };
      const sandboxRate = cpu.map((slice) => slice.sandboxCpuMs / slice.seconds);
      const nodeRate = cpu.map((slice) => slice.nodeCpuMs / slice.seconds);
      rows.push({
        variant: implementation,
        'waiting sandboxes': waiting,
        'processes per sandbox': memory.processes,
        'RSS KiB per sandbox': memory.rssKb,
        'PSS KiB per sandbox': memory.pssKb,
        'tmpfs KiB per slot': memory.tmpfsKb,
        'sandbox CPU ms/s': median(sandboxRate),
        'sandbox CPU ms/s min – max': range(sandboxRate),
        'Node CPU ms/s': median(nodeRate),
        'Node CPU ms/s min – max': range(nodeRate),
        'Node CPU above baseline ms/s': median(nodeRate.map((rate, index) => rate - baselineRate[index]!)),
        'process churn': cpu.reduce((sum, slice) => sum + slice.churn, 0),
      });
      ctx.target(targetFigure(`idle warm sandbox: RSS of its processes + its tmpfs pages (PSS ${Math.round(memory.pssKb)} KiB)`, implementation, 'KiB', perSandbox.map((sample) => sample.rssKb + sample.tmpfsKb), null));
      ctx.target(targetFigure(`idle warm pool of ${waiting}: CPU of its processes + of Node (Node without a sandbox: ${median(baselineRate).toFixed(1)}), ms per s`, implementation, 'ms/s', sandboxRate.map((rate, index) => rate + nodeRate[index]!), null));
      ctx.log(`${implementation}: ${waiting} waiting, ${memory.processes} processes each, RSS ${Math.round(memory.rssKb)} KiB / PSS ${Math.round(memory.pssKb)} KiB per sandbox, sandbox CPU ${median(sandboxRate).toFixed(2)} ms/s, Node ${median(nodeRate).toFixed(2)} ms/s`);
    } finally {
      await sandbox.close();
    }
  }
  return rows;
}

/** Waits until the pool's processes stop changing (refilled after the first run); returns how many sandboxes wait (children of Node). */
async function settledPool(exclude: ReadonlySet<number>): Promise<number> {
  let last = '';
  for (let stable = 0, tries = 0; stable < 3 && tries < 50; tries++) {
    await sleep(100);
    const now = (await descendants(process.pid)).filter((pid) => !exclude.has(pid)).sort().join(',');
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return (await children(process.pid)).filter((pid) => !exclude.has(pid)).length;
}

/**
 * Memory of one waiting sandbox: the median over the Node process's direct children (one per waiting sandbox) of the
 * RSS and PSS summed over each child's whole process tree; and the median used size of the slots' tmpfs.
 */
async function poolMemory(exclude: ReadonlySet<number>, runRoot: string): Promise<{ processes: number; rssKb: number; pssKb: number; tmpfsKb: number }> {
  const trees: { processes: number; rssKb: number; pssKb: number }[] = [];
  for (const child of (await children(process.pid)).filter((pid) => !exclude.has(pid))) {
    const tree = { processes: 0, rssKb: 0, pssKb: 0 };
    for (const pid of [child, ...(await descendants(child))]) {
      const memory = await readMemory(pid);
      if (memory === null) continue;
      tree.processes += 1;
      tree.rssKb += memory.rssKb;
      tree.pssKb += memory.pssKb;
    }
    trees.push(tree);
  }
  const used = await tmpfsUsage(runRoot);
  return {
    processes: median(trees.map((tree) => tree.processes)),
    rssKb: median(trees.map((tree) => tree.rssKb)),
    pssKb: median(trees.map((tree) => tree.pssKb)),
    tmpfsKb: used.length === 0 ? 0 : median(used) / 1024,
  };
}

/**
 * CPU of the Node process and of its other descendants, slice by slice, from /proc/<pid>/stat. Only the stat files of known
 * pids are read inside a slice; the /proc walk that finds new or vanished processes runs between slices, so the
 * measurement's own work does not count as the pool's.
 */
async function measureCpu(exclude: ReadonlySet<number>, sliceMs: number, slices: number, memory?: () => Promise<void>): Promise<Slice[]> {
  const result: Slice[] = [];
  for (let i = 0; i < slices; i++) {
    await memory?.();
    const pids = (await descendants(process.pid)).filter((pid) => !exclude.has(pid));
    const begin = await cpuMs([process.pid, ...pids]);
    const at = performance.now();
    await sleep(sliceMs);
    const end = await cpuMs([process.pid, ...pids]);
    const seconds = (performance.now() - at) / 1000;
    const after = (await descendants(process.pid)).filter((pid) => !exclude.has(pid));
    const delta = (pid: number) => (end.get(pid) ?? begin.get(pid) ?? 0) - (begin.get(pid) ?? 0);
    result.push({
      seconds,
      nodeCpuMs: delta(process.pid),
      sandboxCpuMs: pids.reduce((sum, pid) => sum + delta(pid), 0),
      // A process that came or went during the slice is churn: an idle pool should have none (its CPU is not in the figure).
      churn: after.filter((pid) => !pids.includes(pid)).length + pids.filter((pid) => !after.includes(pid)).length,
    });
  }
  return result;
}

function range(values: readonly number[]): string {
  const { min, max } = spread(values);
  return `${min.toFixed(2)} – ${max.toFixed(2)}`;
}
