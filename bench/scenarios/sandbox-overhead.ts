// Sandbox overhead: C hello and `python3 -c pass` spawned bare vs. through each sandbox implementation, per run and against concurrency.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createBwrapSandbox, type BwrapSandboxOptions } from '../../src/sandbox/bwrap/create-bwrap-sandbox.js';
import type { ResourceLimits } from '../../src/domain/limits.js';
import type { Sandbox, SandboxFile } from '../../src/sandbox/sandbox.js';
import { distributionOf } from '../../src/cli/commands/bench-chart.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { median, percentile, spread } from '../lib/stats.js';
import { spawnBare } from '../lib/bare-spawn.js';
import { phaseLog, type PhaseLog } from '../lib/phase-log.js';
import { targetFigure } from '../lib/targets.js';
import { concurrencyLevels, interleavedTimes, throughputRounds, timeLeft, windowFor, type Variant } from '../lib/variants.js';

export const name = 'sandbox-overhead';
export const quickWeight = 3;
export const description =
  'C hello and `python3 -c pass`: wall time per run spawned bare (child_process.spawn) vs. through the sandbox with `implementation: resident` and `implementation: bwrap` ' +
  '(a bwrap per run, warm pool), interleaved, in repeats; then throughput at concurrency 1, 2, cores and 2 × cores. Ratios and overheads are to the bare spawns of the same repeat.';

const LIMITS: ResourceLimits = { cpuTimeMs: 5_000, wallTimeMs: 10_000, memoryMb: 256, processes: 64, outputBytes: 1_000_000, fileSizeBytes: 16 << 20, workDirMb: 64, openFiles: 256, stackMb: 64 };
const IMPLEMENTATIONS = ['resident', 'bwrap'] as const;
/** Time a quick pass keeps for closing both sandboxes. */
const CLOSE_RESERVE_MS = 1_500;
type Implementation = (typeof IMPLEMENTATIONS)[number];

interface Program {
  label: string;
  /** How the bare spawn runs it. */
  bare: { command: string; args: string[] };
  /** The same invocation inside the sandbox. */
  sandboxArgv: string[];
  files: SandboxFile[];
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const programs = await preparePrograms(ctx);
  // The pool uids must be able to reach the run root inside the private temporary directory.
  await chmod(ctx.tmpDir, 0o711);
  const logs = new Map<Implementation, PhaseLog>(IMPLEMENTATIONS.map((implementation) => [implementation, phaseLog()]));
  const sandboxes = new Map<Implementation, Sandbox>();
  const rows: BenchRow[] = [];
  try {
    for (const implementation of IMPLEMENTATIONS) {
      const sandbox = await createBwrapSandbox(sandboxOptions(ctx, implementation), logs.get(implementation)!.logger);
      sandboxes.set(implementation, sandbox);
      // A resident init that is not built makes the sandbox fall back to the per-run path: figures labelled resident would lie.
      if (sandbox.capabilities.implementation !== implementation) throw new Error(`implementation '${implementation}' was asked for but the sandbox runs '${sandbox.capabilities.implementation}' (is native/build/runlane-resident-init built? run scripts/setup.sh)`);
      ctx.log(`implementation: '${implementation}' → ${sandbox.capabilities.implementation} ${sandbox.capabilities.version}, cgroups ${sandbox.capabilities.cgroups}`);
    }
    const repeats = ctx.quick ? 3 : 5;
    const levels = concurrencyLevels(ctx.cores);
    for (const [programIndex, program] of programs.entries()) {
      // A quick pass fits its share of the minute even on a busy host: this program gets its part of what is left, 40 % of it
      // for the per-run times and the rest for the throughput windows (fewer runs on a slow host, never a longer pass).
      const left = timeLeft(ctx.deadline, CLOSE_RESERVE_MS);
      const share = left === null ? null : left / (programs.length - programIndex);
      const budget = { runs: ctx.iterations(150, 30), budgetMs: share === null ? 20_000 : (0.4 * share) / repeats };
      const programEnd = share === null ? null : performance.now() + share;
      const variants: Variant[] = [
        { label: 'bare', action: () => spawnBare(program.bare.command, program.bare.args) },
        ...IMPLEMENTATIONS.map((implementation) => ({ label: implementation, action: () => runSandboxed(sandboxes.get(implementation)!, program, implementation, logs.get(implementation)!) })),
      ];
      for (const log of logs.values()) log.recording = true;
      const times = await interleavedTimes(variants, repeats, budget, ctx.quick ? 2 : 5);
      for (const log of logs.values()) log.recording = false;
      rows.push(...sequentialRows(ctx, program, variants, times));
      ctx.chart({
        kind: 'distribution',
        title: `${program.label}: wall time per run at concurrency 1 (${times[0]!.flat().length} runs each in ${repeats} repeats, interleaved)`,
        unit: 'ms',
        series: variants.map((variant, index) => ({ label: variant.label, stats: distributionOf(times[index]!.flat()) })),
      });

      const slowest = Math.max(...times.map((sample) => median(sample.flat())));
      const windowLeft = timeLeft(programEnd, 0, 500);
      const windowMs = windowLeft === null ? 2_000 : windowFor(windowLeft, repeats * levels.length * variants.length, slowest);
      const rates = await throughputRounds(variants, levels, repeats, windowMs);
      rows.push(...throughputRows(ctx, program, variants, levels, rates));
      ctx.chart({
        kind: 'lines',
        title: `${program.label}: throughput against concurrency (median and min–max of ${repeats} windows of ${Math.round(windowMs)} ms)`,
        xLabel: 'runs in flight (concurrency)',
        yLabel: 'runs/s',
        series: variants.map((variant, index) => ({ label: variant.label, points: levels.map((level, levelIndex) => ({ x: level, ...spread(rates[index]![levelIndex]!) })) })),
      });
    }
    for (const [implementation, log] of logs) {
      const { runs: recorded, phases } = log.medians();
      if (recorded === 0) continue;
      rows.push({ program: 'both', measure: `phase medians of ${recorded} sequential runs (debug log)`, variant: implementation, ...Object.fromEntries(Object.entries(phases).map(([phase, value]) => [phase, value])) });
    }
  } finally {
    for (const sandbox of sandboxes.values()) await sandbox.close();
  }
  return rows;
}

function sandboxOptions(ctx: BenchContext, implementation: Implementation): BwrapSandboxOptions {
  return {
    implementation,
    bwrapPath: 'bwrap',
    runRoot: join(ctx.tmpDir, `run-root-${implementation}`),
    uidBase: 400_000 + randomInt(0, 1000) * 128,
    uidCount: 128,
    cgroupRoot: `runlane-bench-${process.pid}-${implementation}`,
    requireCgroups: false,
  };
}

/** Per variant: median and p99 (median over repeats), overhead and ratio to the same repeat's bare runs (min / median / max); the targets. */
function sequentialRows(ctx: BenchContext, program: Program, variants: readonly Variant[], times: number[][][]): BenchRow[] {
  const rows: BenchRow[] = [];
  const bare = times[0]!;
  for (const [index, variant] of variants.entries()) {
    const sample = times[index]!;
    const medians = sample.map((repeat) => median(repeat));
    const p99s = sample.map((repeat) => percentile(repeat, 99));
    const overhead = sample.map((repeat, r) => median(repeat) - median(bare[r]!));
    const p99Overhead = sample.map((repeat, r) => percentile(repeat, 99) - percentile(bare[r]!, 99));
    const ratio = sample.map((repeat, r) => median(repeat) / median(bare[r]!));
    rows.push({
      program: program.label,
      measure: `per run, concurrency 1, ${sample.map((repeat) => repeat.length).join(' + ')} runs`,
      variant: variant.label,
      'median ms': median(medians),
      'p99 ms': median(p99s),
      'overhead ms': index === 0 ? null : median(overhead),
      'overhead min – max': index === 0 ? null : range(overhead),
      'p99 overhead ms': index === 0 ? null : median(p99Overhead),
      ratio: index === 0 ? null : median(ratio),
      'ratio min – max': index === 0 ? null : range(ratio),
    });
    if (index === 0) continue;
    if (program.label === 'C hello') {
      ctx.target(targetFigure('C hello: median overhead over bare', variant.label, 'ms', overhead, { atMost: 2 }));
      ctx.target(targetFigure('C hello: p99 overhead over bare (p99 − bare p99)', variant.label, 'ms', p99Overhead, { atMost: 5 }));
    } else {
      ctx.target(targetFigure(`${program.label}: median ratio to bare, concurrency 1`, variant.label, '×', ratio, { atMost: 1.2 }));
    }
  }
  ctx.log(`${program.label}: ${variants.map((variant, index) => `${variant.label} ${median(times[index]!.flat()).toFixed(2)} ms`).join(', ')}`);
  return rows;
}

/** Per level and variant: runs/s (median over repeats) and the ratio to bare at the same level in the same repeat; the target at cores. */
function throughputRows(ctx: BenchContext, program: Program, variants: readonly Variant[], levels: readonly number[], rates: number[][][]): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [levelIndex, level] of levels.entries()) {
    const bare = rates[0]![levelIndex]!;
    for (const [index, variant] of variants.entries()) {
      const sample = rates[index]![levelIndex]!;
      const ratio = sample.map((rate, r) => rate / bare[r]!);
      rows.push({
        program: program.label,
        measure: `throughput, concurrency ${level}, ${rates[index]![levelIndex]!.length} windows`,
        variant: variant.label,
        'runs/s': median(sample),
        'runs/s min – max': range(sample),
        ratio: index === 0 ? null : median(ratio),
        'ratio min – max': index === 0 ? null : range(ratio),
      });
      if (index > 0 && level === ctx.cores) ctx.target(targetFigure(`${program.label}: throughput ratio to bare at concurrency ${level} (= cores)`, variant.label, '×', ratio, { atLeast: 0.8 }));
    }
  }
  const at = levels.indexOf(ctx.cores);
  ctx.log(`${program.label} at concurrency ${ctx.cores}: ${variants.map((variant, index) => `${variant.label} ${median(rates[index]![at]!).toFixed(0)}/s`).join(', ')}`);
  return rows;
}

function range(values: readonly number[]): string {
  const { min, max } = spread(values);
  const show = (value: number) => (Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1));
  return `${show(min)} – ${show(max)}`;
}

async function preparePrograms(ctx: BenchContext): Promise<Program[]> {
  const source = join(ctx.tmpDir, 'hello.c');
  const binary = join(ctx.tmpDir, 'hello');
  await writeFile(source, '#include <stdio.h>\nint main(void) { puts("Hello, World!"); return 0; }\n');
  await promisify(execFile)('gcc', ['-O2', '-o', binary, source]);
  const python = '/usr/bin/python3';
  return [
    { label: 'C hello', bare: { command: binary, args: [] }, sandboxArgv: ['./hello'], files: [{ path: 'hello', content: await readFile(binary), mode: 0o755 }] },
    { label: 'python3 -c pass', bare: { command: python, args: ['-c', 'pass'] }, sandboxArgv: ['python3', '-c', 'pass'], files: [] },
  ];
}

async function runSandboxed(sandbox: Sandbox, program: Program, implementation: Implementation, log: PhaseLog): Promise<void> {
  let result;
  try {
    result = await sandbox.run({ argv: program.sandboxArgv, files: program.files, limits: LIMITS, label: 'bench' });
  } catch (error) {
    // The thrown error keeps host details out of its message; the sandbox's error log says what happened.
    throw new Error(`${program.label} with implementation ${implementation}: ${(error as Error).message}; sandbox errors logged: ${log.errors().join('\n') || 'none'}`, { cause: error });
  }
  if (result.exitCode !== 0) throw new Error(`${program.label} with implementation ${implementation} ended with ${result.exitCode ?? result.signal}: ${result.stderr.toString()}`);
}
