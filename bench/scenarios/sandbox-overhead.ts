// Sandbox overhead: the same trivial programs spawned bare from Node vs. through the sandbox, per run and at saturation.
import { execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../src/logging/logger.js';
import { createBwrapSandbox } from '../../src/sandbox/bwrap/create-bwrap-sandbox.js';
import type { ResourceLimits } from '../../src/domain/limits.js';
import type { Sandbox, SandboxFile } from '../../src/sandbox/sandbox.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { median, percentile } from '../lib/stats.js';
import { closedLoop } from '../lib/closed-loop.js';

export const name = 'sandbox-overhead';
export const description =
  'C hello and `python3 -c pass`: wall time per run spawned bare (child_process.spawn) vs. through the sandbox (warm pool with the native launcher, warm pool with the bash prologue, and cold with the pool off), then throughput with concurrency = cores.';

const LIMITS: ResourceLimits = { cpuTimeMs: 5_000, wallTimeMs: 10_000, memoryMb: 256, processes: 64, outputBytes: 1_000_000, fileSizeBytes: 16 << 20, workDirMb: 64, openFiles: 256, stackMb: 64 };

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
  const options = (suffix: string, warmPool?: number, launcherPath?: null) => ({
    bwrapPath: 'bwrap',
    runRoot: join(ctx.tmpDir, `run-root-${suffix}`),
    uidBase: 400_000 + randomInt(0, 1000) * 128,
    uidCount: 128,
    cgroupRoot: `runlane-bench-${process.pid}-${suffix}`,
    requireCgroups: false,
    ...(warmPool === undefined ? {} : { warmPool }),
    ...(launcherPath === undefined ? {} : { launcherPath }),
  });
  const warm = await createBwrapSandbox(options('warm'), silentLogger());
  // The same warm pool starting runs through bash and setpriv, as before the native launcher: its gain, measured in the same run.
  const prologue = await createBwrapSandbox(options('prologue', undefined, null), silentLogger());
  const cold = await createBwrapSandbox(options('cold', 0), silentLogger());
  ctx.log(`${warm.capabilities.implementation} ${warm.capabilities.version}, cgroups ${warm.capabilities.cgroups}`);
  const rows: BenchRow[] = [];
  try {
    const runs = ctx.iterations(100, 10);
    for (const program of programs) {
      const variants: [string, () => Promise<void>][] = [
        ['bare', () => spawnBare(program.bare.command, program.bare.args)],
        ['sandbox', () => runSandboxed(warm, program)],
        ['sandbox, bash prologue', () => runSandboxed(prologue, program)],
        ['sandbox, cold', () => runSandboxed(cold, program)],
      ];
      for (const [, action] of variants) await repeat(action, 3);
      // Interleaved so background load on a shared machine hits every variant alike.
      const times = variants.map(() => [] as number[]);
      for (let i = 0; i < runs; i++) {
        for (const [index, [, action]] of variants.entries()) times[index]!.push(await timed(action));
      }
      const bareMedian = median(times[0]!);
      for (const [index, [label]] of variants.entries()) {
        const sample = times[index]!;
        rows.push({
          program: program.label,
          measure: `sequential, ${runs} runs`,
          variant: label,
          'median ms': median(sample),
          'p99 ms': percentile(sample, 99),
          'overhead ms': index === 0 ? null : median(sample) - bareMedian,
          ratio: index === 0 ? null : median(sample) / bareMedian,
        });
      }
      ctx.log(`${program.label}: ${variants.map(([label], index) => `${label} ${median(times[index]!).toFixed(2)} ms`).join(', ')}`);

      const total = ctx.iterations(200, ctx.cores * 4);
      const rates: number[] = [];
      for (const [, action] of variants) rates.push((await closedLoop(ctx.cores, total, action)).perSecond);
      for (const [index, [label]] of variants.entries()) {
        rows.push({
          program: program.label,
          measure: `throughput, ${total} runs at concurrency ${ctx.cores}`,
          variant: label,
          'exec/s': rates[index]!,
          ratio: index === 0 ? null : rates[index]! / rates[0]!,
        });
      }
      ctx.log(`${program.label}: ${variants.map(([label], index) => `${label} ${rates[index]!.toFixed(0)}/s`).join(', ')}`);
    }
  } finally {
    await warm.close();
    await prologue.close();
    await cold.close();
  }
  return rows;
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

/** Spawns like the sandbox does (pipes for all stdio, minimal env) and waits for the exit and the streams to close. */
function spawnBare(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' }, cwd: '/' });
    child.stdin.end();
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

async function runSandboxed(sandbox: Sandbox, program: Program): Promise<void> {
  const result = await sandbox.run({ argv: program.sandboxArgv, files: program.files, limits: LIMITS, label: 'bench' });
  if (result.exitCode !== 0) throw new Error(`${program.label} in the sandbox ended with ${result.exitCode ?? result.signal}: ${result.stderr.toString()}`);
}

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

async function repeat(action: () => Promise<void>, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await action();
}

