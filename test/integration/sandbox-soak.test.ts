// The sandbox soak: 20,000 runs mixing languages and verdicts through the pool; nothing may leak and memory stays flat.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LimitHit, SandboxCommand, SandboxRunResult } from '../../src/sandbox/sandbox.js';
import { announceSkip, createTestSandbox, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';
import { readStream } from '../fixtures/sandbox/streams.js';

/** Runs in total; a smaller figure (RUNLANE_SOAK_RUNS, e.g. 500) only for trying the test out. */
const RUNS = Number(process.env.RUNLANE_SOAK_RUNS ?? 20_000);
/** The resident sandbox by default (the server's default); `bwrap` soaks the per-run cold path. */
const IMPLEMENTATION = (process.env.RUNLANE_SOAK_IMPLEMENTATION ?? 'resident') as 'resident' | 'bwrap';
/** As many runs at once as the engine gives the sandbox: one per CPU. */
const CONCURRENCY = availableParallelism();
/** Leak and memory samples every 2,000 runs (a tenth of the runs when fewer are asked for, so flatness still has 11 samples). */
const SAMPLE_EVERY = Math.max(1, Math.min(2_000, Math.floor(RUNS / 10)));
/**
 * "Flat": the median of the last 3 periodic samples may exceed the median of periodic samples 2–4 (sample 1 is warm-up)
 * by at most this much. Over 20,000 runs the two medians lie 12,000 runs apart. After a forced GC the heap of a leak-free
 * soak still grows by a few hundred KB (V8's compiled code and feedback), so 3 MB catches a leak of ~250 bytes per run:
 * one promise with a closure per run is enough. RSS swings by ±10 MB between samples (malloc arenas, Buffers freed but
 * not returned), so only a leak of ~1.7 KB per run of native memory shows there.
 */
const RSS_BOUND_MB = 20;
const HEAP_BOUND_MB = 3;
/**
 * RSS climbs for the first ~2,000 runs (malloc arenas reach their working size) in both implementations, then swings
 * around a plateau; it is judged only when the warm-up sample comes after that many runs (the full soak), else printed.
 */
const RSS_WARM_UP_RUNS = 2_000;
/** Most slots the pool may ever hold at once: runs in flight + slots being reset + warm slots (one per CPU). */
const MAX_SLOTS = 3 * CONCURRENCY;
/** Host fds a kept slot may hold open in the server between runs (a resident's stdio pipes and status fd). */
const FDS_PER_SLOT = 8;
/**
 * The soak stops starting batches after this long: before the scale project's 20-minute test timeout, so a host too slow
 * for the runs asked still prints its samples and summary, and fails saying how far it got.
 */
const TIME_BUDGET_MS = 17 * 60_000;
/** How long a process of a finished run may take to finish exiting before it counts as leaked. */
const PROCESS_GRACE_MS = 2_000;

/** One program for every C row: a judge-like sum, an exit code, a crash, and a daemon that outlives main(). */
const SOAK_C = `#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "sum";
  if (strcmp(mode, "sum") == 0) {
    long long total = 0, value;
    while (scanf("%lld", &value) == 1) total += value;
    printf("%s %lld\\n", argc > 2 ? argv[2] : "case", total);
    return 0;
  }
  if (strcmp(mode, "exit") == 0) return atoi(argv[2]);
  if (strcmp(mode, "segv") == 0) {
    /* The address comes from argv so the compiler cannot turn the store into a trap (SIGILL). */
    volatile int *address = (int *)(size_t)strtoul(argv[2], NULL, 10);
    *address = 1;
    return 0;
  }
  if (strcmp(mode, "daemon") == 0) {
    if (fork() == 0) {
      setsid();
      close(0); close(1); close(2);
      if (fork() == 0) pause();
      pause();
    }
    puts("started");
    return 0;
  }
  return 99;
}
`;

/** What a run must give: exact stdout for ok runs, the limit for limit runs. */
interface Expectation {
  verdict: string;
  stdout?: string;
  exitCode?: number;
  signal?: string;
  limitHit?: LimitHit;
  /** Extra check on the result; returns what is wrong, or null. */
  check?: (result: SandboxRunResult) => string | null;
}

interface Row {
  language: string;
  command: SandboxCommand;
  expect: Expectation;
  /** Streams stdin through `start()` instead of handing it over whole. */
  interactive?: boolean;
}

/** A unit of work as the engine makes them: a single run, or one workspace with the C binary and several cases. */
type Job = { kind: 'single'; n: number; row: Row } | { kind: 'workspace'; n: number; rows: Row[] };

interface Sample {
  runs: number;
  rssMb: number;
  heapMb: number;
  /** Memory of Buffers and other objects outside the JS heap: printed to tell a native leak from allocator noise. */
  externalMb: number;
  fds: number;
  mounts: number;
  processes: number;
  cgroups: number;
  slots: number;
  retired: number;
}

/** Limits no correct row comes near; each limit row lowers one of them. */
const BASE_LIMITS = { wallTimeMs: 10_000, cpuTimeMs: 5_000, outputBytes: 64 * 1024, workDirMb: 16 };
const OK_LIMITS = testLimits(BASE_LIMITS);
const limitsWith = (extra: Parameters<typeof testLimits>[0]) => testLimits({ ...BASE_LIMITS, ...extra });
const PYTHON_SUM = 'import sys; print("py", sum(map(int, sys.argv[1:])))';

function numbersOf(n: number): number[] {
  return [n, (n * 7) % 1000, (n * 13) % 97, -(n % 50)];
}

/** The fast, correct majority: C cases in a workspace, python, sh, node, stdin echo (with node's rows on python when absent). */
function okRow(n: number, variant: number, hasNode: boolean): Row {
  const numbers = numbersOf(n);
  const sum = numbers.reduce((a, b) => a + b, 0);
  switch (variant) {
    case 0:
      return { language: 'python', command: { argv: ['python3', '-c', PYTHON_SUM, ...numbers.map(String)], limits: OK_LIMITS }, expect: { verdict: 'ok', stdout: `py ${sum}\n`, exitCode: 0 } };
    case 1:
      return { language: 'sh', command: { argv: ['sh', '-c', 'echo "sh $(( $1 + $2 ))"', 'sh', String(n), '5'], limits: OK_LIMITS }, expect: { verdict: 'ok', stdout: `sh ${n + 5}\n`, exitCode: 0 } };
    case 2: {
      const text = `line ${n}\n${'x'.repeat(n % 200)}\nend`;
      return { language: 'sh', command: { argv: ['cat'], stdin: text, limits: OK_LIMITS }, expect: { verdict: 'stdin-echo', stdout: text, exitCode: 0 } };
    }
    case 3:
      return { language: 'sh', interactive: true, command: { argv: ['sh', '-c', 'while read line; do echo "got $line"; done'], stdin: `a${n}\nb${n}\n`, limits: OK_LIMITS }, expect: { verdict: 'stdin-echo', stdout: `got a${n}\ngot b${n}\n`, exitCode: 0 } };
    default:
      if (!hasNode) return okRow(n, 0, hasNode);
      return { language: 'node', command: { argv: ['node', '-e', 'console.log("js", Number(process.argv[1]) * 2)', String(n)], limits: { ...OK_LIMITS, memoryMb: 256 } }, expect: { verdict: 'ok', stdout: `js ${n * 2}\n`, exitCode: 0 } };
  }
}

/** Every way a run can end other than ok, each with what it must report. */
function verdictRow(n: number, variant: number, memoryCapped: boolean): Row {
  switch (variant) {
    case 0:
      return { language: 'python', command: { argv: ['python3', '-c', 'import sys; sys.exit(int(sys.argv[1]))', String(1 + (n % 100))], limits: OK_LIMITS }, expect: { verdict: 'exit', exitCode: 1 + (n % 100), limitHit: null } };
    case 1:
      return { language: 'sh', command: { argv: ['sleep', '30'], limits: limitsWith({ wallTimeMs: 250 }) }, expect: { verdict: 'wall', limitHit: 'wall' } };
    case 2:
      return { language: 'sh', command: { argv: ['sh', '-c', 'while :; do :; done'], limits: limitsWith({ cpuTimeMs: 250 }) }, expect: { verdict: 'cpu', limitHit: 'cpu' } };
    case 3:
      // With a memory cgroup the OOM killer ends it; without one RLIMIT_AS makes the allocation fail instead.
      return memoryCapped
        ? { language: 'python', command: { argv: ['python3', '-c', 'x = bytearray(256 * 1024 * 1024)'], limits: limitsWith({ memoryMb: 48 }) }, expect: { verdict: 'memory', limitHit: 'memory' } }
        : { language: 'python', command: { argv: ['python3', '-c', 'x = bytearray(256 * 1024 * 1024)'], limits: limitsWith({ memoryMb: 48 }) }, expect: { verdict: 'memory', exitCode: 1, check: (r) => (r.stderr.includes('MemoryError') ? null : 'no MemoryError') } };
    case 4:
      return { language: 'sh', command: { argv: ['yes', 'runlane'], limits: limitsWith({ outputBytes: 20_000 }) }, expect: { verdict: 'output', limitHit: 'output', check: (r) => (r.stdout.length === 20_000 ? null : `kept ${r.stdout.length} bytes, not 20000`) } };
    case 5: {
      // A fork bomb with a cap: forks sleepers until the pids limit refuses one, then fails with its own exit code.
      const bomb = 'import os, sys, time\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(30); os._exit(0)\nexcept OSError:\n    sys.exit(3)';
      return { language: 'python', command: { argv: ['python3', '-c', bomb], limits: limitsWith({ processes: 8 }) }, expect: { verdict: 'processes', exitCode: 3, limitHit: 'processes' } };
    }
    case 6:
      return { language: 'sh', command: { argv: ['sh', '-c', 'exec head -c 2000000 /dev/zero > big'], limits: limitsWith({ fileSizeBytes: 100_000 }) }, expect: { verdict: 'file-size', signal: 'SIGXFSZ', limitHit: 'file-size' } };
    default:
      return { language: 'sh', command: { argv: ['sh', '-c', 'sleep 1000 & (setsid sleep 1000 > /dev/null 2>&1 &); echo started'], limits: OK_LIMITS }, expect: { verdict: 'leftover', stdout: 'started\n', exitCode: 0 } };
  }
}

/** The C cases of one workspace: four judged sums, then a crash or an exit code, then a daemon or one more sum. */
function workspaceRows(n: number, count: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < count; i += 1) {
    const numbers = numbersOf(n + i);
    const sum = numbers.reduce((a, b) => a + b, 0);
    const caseRow: Row = { language: 'c', command: { argv: ['./soak', 'sum', `case${i}`], stdin: numbers.join(' '), limits: OK_LIMITS }, expect: { verdict: 'ok', stdout: `case${i} ${sum}\n`, exitCode: 0 } };
    if (i === 4) {
      rows.push(
        n % 2 === 0
          ? { language: 'c', command: { argv: ['./soak', 'segv', '0'], limits: OK_LIMITS }, expect: { verdict: 'segv', signal: 'SIGSEGV', limitHit: null } }
          : { language: 'c', command: { argv: ['./soak', 'exit', String(n % 7 + 1)], limits: OK_LIMITS }, expect: { verdict: 'exit', exitCode: (n % 7) + 1, limitHit: null } },
      );
    } else if (i === 5 && n % 3 === 0) {
      rows.push({ language: 'c', command: { argv: ['./soak', 'daemon'], limits: OK_LIMITS }, expect: { verdict: 'leftover', stdout: 'started\n', exitCode: 0 } });
    } else {
      rows.push(caseRow);
    }
  }
  return rows;
}

/**
 * The mix, in cycles of 100 runs: 60 C runs in 10 workspaces, 24 fast runs of python, sh, node and stdin echo, and 16 that
 * end some other way (exit code, wall, CPU, memory, output, processes, file size, leftover processes; 2 of each).
 */
function planJobs(total: number, hasNode: boolean, memoryCapped: boolean): Job[] {
  const jobs: Job[] = [];
  let planned = 0;
  for (let cycle = 0; planned < total; cycle += 1) {
    for (let slot = 0; slot < 50 && planned < total; slot += 1) {
      const n = cycle * 100 + slot;
      if (slot % 5 === 0) {
        const count = Math.min(6, total - planned);
        jobs.push({ kind: 'workspace', n, rows: workspaceRows(n, count) });
        planned += count;
      } else {
        const position = slot - Math.ceil(slot / 5);
        const row = position < 24 ? okRow(n, position % 5, hasNode) : verdictRow(n, (position - 24) % 8, memoryCapped);
        jobs.push({ kind: 'single', n, row });
        planned += 1;
      }
    }
  }
  return jobs;
}

/** What is wrong with a result, or null when it is exactly what the row must give. */
function problemOf(row: Row, result: SandboxRunResult): string | null {
  const want = row.expect;
  const got = `exit ${result.exitCode} signal ${result.signal} limit ${result.limitHit} aborted ${result.aborted} stdout ${JSON.stringify(result.stdout.subarray(0, 80).toString())} stderr ${JSON.stringify(result.stderr.subarray(0, 200).toString())}`;
  if (result.aborted) return `aborted: ${got}`;
  if (want.stdout !== undefined && result.stdout.toString() !== want.stdout) return `stdout differs: ${got}`;
  if (want.exitCode !== undefined && result.exitCode !== want.exitCode) return `exit code differs: ${got}`;
  if (want.signal !== undefined && result.signal !== want.signal) return `signal differs: ${got}`;
  const limitHit = want.limitHit === undefined ? null : want.limitHit;
  if (result.limitHit !== limitHit) return `limitHit ${result.limitHit}, not ${limitHit}: ${got}`;
  return want.check?.(result) ?? null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

describe(`a ${RUNS}-run soak of the ${IMPLEMENTATION} sandbox pool`, () => {
  let t: TestSandbox;
  let hostDir: string;
  let binary: Buffer;
  let hasNode = false;
  const fdsBefore = { count: 0 };
  /** Processes of runs seen at a sample before they were gone (see processesLeft). */
  const lingered: string[] = [];

  async function countFds(): Promise<number> {
    return (await readdir('/proc/self/fd')).length;
  }

  async function countMounts(): Promise<number> {
    const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
    return mountinfo.split('\n').filter((line) => line.includes(t.options.runRoot)).length;
  }

  /**
   * Processes with the pool's uids. One seen is looked at again for PROCESS_GRACE_MS: a process can still be finishing its
   * exit (memory released, cmdline empty, not yet reaped) just after its run ended. Those are reported in the summary
   * with their state; only one still there after the grace counts as leaked.
   */
  async function processesLeft(runs: number): Promise<Awaited<ReturnType<TestSandbox['processesOfRuns']>>> {
    let found = await t.processesOfRuns();
    if (found.length === 0) return found;
    const seen = await Promise.all(found.map(async (entry) => ({ ...entry, state: (await readFile(`/proc/${entry.pid}/status`, 'utf8').catch(() => '')).match(/^State:\s+(.*)$/m)?.[1] ?? 'gone' })));
    const since = Date.now();
    for (; found.length > 0 && Date.now() - since < PROCESS_GRACE_MS; await sleep(50)) found = await t.processesOfRuns();
    const line = `after ${runs} runs saw ${JSON.stringify(seen)}: ${found.length === 0 ? `gone after ${Date.now() - since} ms` : `STILL THERE after ${PROCESS_GRACE_MS} ms`}`;
    console.log(`soak processes ${line}`);
    lingered.push(line);
    return found;
  }

  async function sample(runs: number): Promise<Sample> {
    // leftoverCgroups() first: it waits for the pool to settle (refills, resets, cgroup removals), so the counts are steady.
    const cgroups = await t.leftoverCgroups();
    const processes = await processesLeft(runs);
    global.gc?.();
    const memory = process.memoryUsage();
    const health = t.sandbox.health();
    const taken: Sample = { runs, rssMb: mb(memory.rss), heapMb: mb(memory.heapUsed), externalMb: mb(memory.external), fds: await countFds(), mounts: await countMounts(), processes: processes.length, cgroups: cgroups.length, ...health };
    console.log(`soak sample ${JSON.stringify(taken)}`);
    expect({ runs, processes, cgroups }).toEqual({ runs, processes: [], cgroups: [] });
    expect({ runs, ...health }).toEqual({ runs, slots: t.options.uidCount, retired: 0 });
    return taken;
  }

  beforeAll(async () => {
    fdsBefore.count = await countFds();
    t = await createTestSandbox(undefined, { implementation: IMPLEMENTATION });
    // Without a built resident init the sandbox falls back to per-run bwrap; a soak of the wrong implementation proves nothing.
    expect(t.sandbox.capabilities.implementation, 'the implementation the soak runs on').toBe(IMPLEMENTATION);
    hostDir = await mkdtemp(join(tmpdir(), 'runlane-soak-'));
    const [node] = await t.sandbox.detectToolchains([{ tools: ['node'], versionCommand: ['node', '--version'] }]);
    hasNode = node!.missing.length === 0 && node!.error === null;
    if (!hasNode) announceSkip('the JavaScript rows of the soak', `node does not run in the sandbox (${node!.missing.join(', ') || node!.error}); python rows take their place`);
    // Compiled once, inside the sandbox, as the engine's compile stage does; every workspace then receives the binary.
    const source = { path: 'soak.c', content: Buffer.from(SOAK_C) };
    const builder = await t.sandbox.createWorkspace({ workDirMb: 64, label: 'soak-compile' });
    try {
      await builder.writeFiles([source]);
      const compiled = await builder.run({ argv: ['gcc', '-O2', '-o', 'soak', 'soak.c'], limits: testLimits({ memoryMb: 512, cpuTimeMs: 20_000, wallTimeMs: 60_000, processes: 64, workDirMb: 64 }) });
      expect(compiled.stderr.toString()).toBe('');
      expect(compiled.exitCode).toBe(0);
      expect(await builder.exportFiles(join(hostDir, 'artifact'), { unchanged: [source], maxBytes: 16 * 1024 * 1024, maxFiles: 4 })).toEqual(['soak']);
    } finally {
      await builder.destroy();
    }
    binary = await readFile(join(hostDir, 'artifact', 'soak'));
  }, 180_000);

  afterAll(async () => {
    await t?.dispose();
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  });

  it('should give every run its exact result and leak no process, mount, cgroup, uid, fd or memory', async () => {
    const memoryCapped = t.sandbox.capabilities.enforces.memory;
    const jobs = planJobs(RUNS, hasNode, memoryCapped);
    const failures: string[] = [];
    let failureCount = 0;
    const verdicts: Record<string, number> = {};
    const languages: Record<string, number> = {};
    /** Seconds each verdict took from the caller's side, summed: where the soak's time goes. */
    const seconds: Record<string, number> = {};

    const record = (n: number, row: Row, result: SandboxRunResult | Error) => {
      verdicts[row.expect.verdict] = (verdicts[row.expect.verdict] ?? 0) + 1;
      languages[row.language] = (languages[row.language] ?? 0) + 1;
      const problem = result instanceof Error ? `sandbox fault: ${result.message}` : problemOf(row, result);
      if (problem === null) return;
      failureCount += 1;
      if (failures.length < 50) failures.push(`job ${n} ${row.language}/${row.expect.verdict} ${JSON.stringify(row.command.argv.join(' ').slice(0, 60))}: ${problem}`);
    };

    const runOnce = async (row: Row, run: (command: SandboxCommand) => Promise<SandboxRunResult>, start: (command: SandboxCommand) => ReturnType<typeof t.sandbox.start>) => {
      if (!row.interactive) return run(row.command);
      const { stdin, ...command } = row.command;
      const started = await start(command);
      const output = readStream(started.stdout);
      for (const line of String(stdin).split(/(?<=\n)/)) started.stdin.write(line);
      started.stdin.end();
      const [result] = await Promise.all([started.result, output]);
      return result;
    };

    const runRow = async (row: Row, run: (command: SandboxCommand) => Promise<SandboxRunResult>, start: (command: SandboxCommand) => ReturnType<typeof t.sandbox.start>) => {
      const since = performance.now();
      try {
        return await runOnce(row, run, start);
      } finally {
        seconds[row.expect.verdict] = (seconds[row.expect.verdict] ?? 0) + (performance.now() - since) / 1000;
      }
    };

    const runJob = async (job: Job) => {
      if (job.kind === 'single') {
        const result = await runRow(job.row, (command) => t.sandbox.run(command), (command) => t.sandbox.start(command)).catch((error: Error) => error);
        record(job.n, job.row, result);
        return;
      }
      const workspace = await t.sandbox.createWorkspace({ workDirMb: 16, commands: job.rows.length, label: `soak-${job.n}` });
      try {
        // Half the workspaces receive the binary the way a cached compile enters one, half as written files.
        if (job.n % 2 === 0) await workspace.importFiles(join(hostDir, 'artifact'), ['soak']);
        else await workspace.writeFiles([{ path: 'soak', content: binary, mode: 0o755 }]);
        for (const row of job.rows) {
          const result = await runRow(row, (command) => workspace.run(command), (command) => workspace.start(command)).catch((error: Error) => error);
          record(job.n, row, result);
        }
      } catch (error) {
        for (const row of job.rows) record(job.n, row, error as Error);
      } finally {
        await workspace.destroy();
      }
    };

    const samples: Sample[] = [await sample(0)];
    const started = Date.now();
    let done = 0;
    for (let next = 0; next < jobs.length && Date.now() - started < TIME_BUDGET_MS; ) {
      // A batch ends at the next sample point; the pool is drained there so every count is taken at rest.
      const batch: Job[] = [];
      let batchRuns = 0;
      const boundary = (Math.floor(done / SAMPLE_EVERY) + 1) * SAMPLE_EVERY;
      while (next < jobs.length && done + batchRuns < boundary) {
        const job = jobs[next]!;
        batch.push(job);
        batchRuns += job.kind === 'single' ? 1 : job.rows.length;
        next += 1;
      }
      let taken = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (taken < batch.length) await runJob(batch[taken++]!);
        }),
      );
      done += batchRuns;
      samples.push(await sample(done));
    }
    const duration = (Date.now() - started) / 1000;

    console.log(
      `soak summary: implementation ${IMPLEMENTATION} (${t.sandbox.capabilities.implementation}, cgroups ${t.sandbox.capabilities.cgroups}), runs ${done}, concurrency ${CONCURRENCY}, ` +
        `duration ${duration.toFixed(1)} s, ${(done / duration).toFixed(1)} runs/s, verdicts ${JSON.stringify(verdicts)}, languages ${JSON.stringify(languages)}, ` +
        `seconds by verdict ${JSON.stringify(Object.fromEntries(Object.entries(seconds).map(([verdict, total]) => [verdict, Math.round(total)])))}, ` +
        `gc ${global.gc ? 'forced before each sample' : 'NOT AVAILABLE (RSS without a forced GC)'}, wrong ${failureCount}\n` +
        (lingered.length > 0 ? `processes seen at a sample:\n  ${lingered.join('\n  ')}\n` : '') +
        samples.map((s) => `  after ${s.runs} runs: rss ${s.rssMb} MB, heap ${s.heapMb} MB, external ${s.externalMb} MB, fds ${s.fds}, mounts ${s.mounts}, processes ${s.processes}, cgroups ${s.cgroups}, slots ${s.slots}, retired ${s.retired}`).join('\n'),
    );

    expect(failures, `${failureCount} wrong results`).toEqual([]);
    // Slots (one work dir mount each) are kept for reuse, so their number only grows with the most ever needed at once: runs
    // in flight, slots being reset, warm ones (as many as CPUs). More than that is a leak. Open fds are those of the first
    // batch, plus at most FDS_PER_SLOT for each slot added since (a resident's pipes); every other fd must be closed again.
    const steady = samples[1]!;
    for (const s of samples.slice(1)) {
      expect(s.mounts, `mounts after ${s.runs} runs`).toBeLessThanOrEqual(MAX_SLOTS);
      expect(s.fds, `open fds after ${s.runs} runs`).toBeLessThanOrEqual(steady.fds + FDS_PER_SLOT * Math.max(0, s.mounts - steady.mounts));
    }
    // samples[0] was taken before any run; the first taken after runs is warm-up, the next three are the baseline.
    const periodic = samples.slice(1);
    const early = periodic.slice(1, 4);
    const late = periodic.slice(-3);
    const rssGrowth = median(late.map((s) => s.rssMb)) - median(early.map((s) => s.rssMb));
    const heapGrowth = median(late.map((s) => s.heapMb)) - median(early.map((s) => s.heapMb));
    const rssJudged = periodic[0]!.runs >= RSS_WARM_UP_RUNS;
    console.log(
      `soak memory: heap growth ${heapGrowth.toFixed(1)} MB (bound ${HEAP_BOUND_MB}), rss growth ${rssGrowth.toFixed(1)} MB ` +
        (rssJudged ? `(bound ${RSS_BOUND_MB})` : `NOT JUDGED: the warm-up sample came after ${periodic[0]!.runs} runs, RSS settles only after ${RSS_WARM_UP_RUNS}`),
    );
    expect(heapGrowth, 'heapUsed growth, MB').toBeLessThanOrEqual(HEAP_BOUND_MB);
    if (rssJudged) expect(rssGrowth, 'RSS growth, MB').toBeLessThanOrEqual(RSS_BOUND_MB);

    // Closing releases everything: no mount, process, cgroup or fd of the sandbox outlives it.
    await t.sandbox.close();
    expect(await t.everything()).toEqual([]);
    expect(await t.processesOfRuns()).toEqual([]);
    expect(await countMounts()).toBe(0);
    expect(await countFds()).toBeLessThanOrEqual(fdsBefore.count);
    expect(done, `runs finished within ${TIME_BUDGET_MS / 60_000} minutes`).toBe(RUNS);
  });
});
