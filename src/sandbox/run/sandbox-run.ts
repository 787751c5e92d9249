// One sandboxed run from spawn to verified teardown: limits enforced while it runs, figures and files read after.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../logging/logger.js';
import { AppError, SANDBOX_ERRORS } from '../../errors/index.js';
import type { LimitHit, SandboxFile, SandboxProcess, SandboxRunResult, SandboxRunSpec } from '../sandbox.js';
import type { CgroupDriver, CgroupFigures, RunCgroup } from '../cgroup/cgroup-driver.js';
import type { UidPool } from '../uid-pool.js';
import { WorkDir, isSafeRelativePath, type WorkDirTools } from '../work-dir.js';
import { buildBwrapCommand, sandboxEnv } from '../bwrap/bwrap-argv.js';
import { BWRAP_EXTRA_PROCESSES, PROLOGUE_SCRIPT, prologueArgs } from '../bwrap/prologue.js';
import type { HostLayout } from '../bwrap/host-layout.js';
import { interpretExit, type ExitStatus } from './exit-status.js';
import { OutputCapture } from './output-capture.js';
import { StatusReader } from './status-reader.js';

/** Everything a run needs from the sandbox that starts it. */
export interface RunContext {
  driver: CgroupDriver;
  uids: UidPool;
  /** Directory holding one mount point per live run. */
  runsDir: string;
  workDirTools: WorkDirTools;
  layout: HostLayout;
  paths: { sh: string; setpriv: string; bwrap: string };
  /** Environment of the prologue, setpriv and bwrap: a bare PATH. bwrap's own env is visible in /proc/1/environ inside. */
  hostEnv: NodeJS.ProcessEnv;
  logger: Logger;
  /** Called when a run's process is spawned and once its teardown has finished (the sandbox tracks live runs with them). */
  onCreated: (run: SandboxRun) => void;
  onSettled: (run: SandboxRun) => void;
}

/** Time bwrap gets to report that the program started before the run counts as a sandbox fault. */
const SETUP_TIMEOUT_MS = 15_000;
/** How often the group's CPU time is read to enforce the limit on the total of every process. */
const CPU_POLL_MS = { cgroup: 20, none: 100 } as const;
/** Upper bound on what is read back by collectFiles, whatever the work dir size. */
const COLLECT_MAX_BYTES = 256 * 1024 * 1024;
const COLLECT_MAX_FILES = 10_000;
/** Output still buffered in pipes after the program died is waited for at most this long. */
const STREAM_DRAIN_MS = 2_000;

/** Validates and prepares a run, spawns it, and resolves once bwrap reports the program started. */
export async function startRun(ctx: RunContext, spec: SandboxRunSpec): Promise<SandboxRun> {
  validateSpec(spec);
  const uid = ctx.uids.acquire();
  if (uid === null) throw new AppError(SANDBOX_ERRORS.busy, 'every sandbox uid is in use; retry when a run finishes');
  const runId = randomUUID();
  const logger = ctx.logger.child({ runId, ...(spec.label ? { label: spec.label } : {}) });
  let cgroup: RunCgroup | undefined;
  let workDir: WorkDir | undefined;
  try {
    cgroup = await ctx.driver.create(runId, { memoryBytes: spec.limits.memoryMb * 1024 * 1024, processes: spec.limits.processes + BWRAP_EXTRA_PROCESSES }, uid);
    workDir = await WorkDir.create(ctx.runsDir, runId, uid, spec.limits.workDirMb, ctx.workDirTools);
    await workDir.writeFiles(spec.files ?? []);
  } catch (error) {
    await workDir?.destroy().catch((cause: unknown) => logger.error({ err: cause }, 'sandbox work dir cleanup failed'));
    await cgroup?.remove().catch((cause: unknown) => logger.error({ err: cause }, 'sandbox cgroup cleanup failed'));
    ctx.uids.release(uid);
    throw new AppError(SANDBOX_ERRORS.setupFailed, `sandbox setup failed: ${(error as Error).message}`, { cause: error });
  }
  const run = new SandboxRun(ctx, spec, { runId, uid, cgroup, workDir, logger });
  await run.started;
  return run;
}

function validateSpec(spec: SandboxRunSpec): void {
  const bad = (message: string) => new AppError(SANDBOX_ERRORS.badSpec, message);
  if (spec.argv.length === 0 || spec.argv.some((arg) => arg.includes('\0'))) throw bad('argv must be non-empty and free of NUL bytes');
  for (const file of spec.files ?? []) if (!isSafeRelativePath(file.path)) throw bad(`unsafe file path ${JSON.stringify(file.path)}`);
  try {
    sandboxEnv(spec.env);
  } catch (error) {
    throw bad((error as Error).message);
  }
}

interface RunResources {
  runId: string;
  uid: number;
  cgroup: RunCgroup;
  workDir: WorkDir;
  logger: Logger;
}

/** A live run; implements the streaming SandboxProcess. */
export class SandboxRun implements SandboxProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly result: Promise<SandboxRunResult>;
  /** Settles when the program has started (bwrap reported its pid) or setup failed. */
  readonly started: Promise<void>;
  readonly runId: string;

  private readonly child: ChildProcess;
  private readonly output: OutputCapture;
  private readonly status = new StatusReader();
  private limitHit: LimitHit = null;
  private aborted = false;
  private exited = false;
  private startedAt: bigint | null = null;
  private endedAt: bigint | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private polling = false;
  private settleStarted!: (error?: AppError) => void;
  private readonly removeAbortListener: () => void;

  constructor(
    private readonly ctx: RunContext,
    private readonly spec: SandboxRunSpec,
    private readonly resources: RunResources,
  ) {
    this.runId = resources.runId;
    this.started = new Promise<void>((resolve, reject) => {
      this.settleStarted = (error) => (error ? reject(error) : resolve());
    });
    // A failed start is reported by `started`; the result promise repeats it but must not count as unhandled.
    this.started.catch(() => undefined);
    this.output = new OutputCapture(spec.limits.outputBytes, () => this.stop('output'));
    this.stdout = this.output.stdout;
    this.stderr = this.output.stderr;

    const command = buildBwrapCommand({
      setprivPath: ctx.paths.setpriv,
      bwrapPath: ctx.paths.bwrap,
      hostUid: resources.uid,
      systemArgs: ctx.layout.systemArgs,
      boxDir: resources.workDir.boxDir,
      tmpDir: resources.workDir.tmpDir,
      shmBytes: spec.limits.workDirMb * 1024 * 1024,
      env: spec.env,
      argv: spec.argv,
      statusFd: 3,
    });
    const args = prologueArgs({ procsFiles: resources.cgroup.procsFiles, limits: spec.limits, fallbackRlimits: ctx.driver.fallbackRlimits, command });
    this.child = spawn(ctx.paths.sh, ['-c', PROLOGUE_SCRIPT, 'runlane-prologue', ...args], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: ctx.hostEnv,
      cwd: '/',
    });
    this.stdin = this.child.stdin!;
    // A program that exits without reading its input closes the pipe: EPIPE is expected, not a fault.
    this.stdin.on('error', () => undefined);
    this.output.attach(this.child.stdout!, 'stdout');
    this.output.attach(this.child.stderr!, 'stderr');
    const statusStream = this.child.stdio[3] as Readable;
    statusStream.on('data', (chunk: Buffer) => {
      this.status.push(chunk);
      if (this.status.childPid !== null && this.startedAt === null) this.onProgramStarted();
    });
    statusStream.on('error', () => undefined);

    const onAbort = () => this.kill();
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    this.removeAbortListener = () => spec.signal?.removeEventListener('abort', onAbort);
    if (spec.signal?.aborted) this.kill();

    this.timers.push(setTimeout(() => this.stop('setup-timeout'), SETUP_TIMEOUT_MS));
    this.result = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      this.child.once('error', (error) => {
        resources.logger.error({ err: error }, 'sandbox prologue could not be spawned');
        resolve({ code: null, signal: null });
      });
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    }).then((exit) => this.finish(exit));
    // When setup fails, `started` carries the error to the caller and nobody holds this promise.
    this.result.catch(() => undefined);
    ctx.onCreated(this);
  }

  signal(name: NodeJS.Signals): void {
    if (this.exited || this.startedAt === null) return;
    // The bwrap monitor and the namespace's init are spared: killing them would end the run instead of signalling it.
    const exclude = [this.child.pid, this.status.childPid].filter((pid): pid is number => typeof pid === 'number');
    this.resources.cgroup.signalAll(name, exclude).catch((error: unknown) => this.resources.logger.warn({ err: error }, 'sandbox signal failed'));
  }

  kill(): void {
    if (this.exited) return;
    this.aborted = true;
    this.terminate();
  }

  private onProgramStarted(): void {
    this.startedAt = process.hrtime.bigint();
    this.settleStarted();
    this.timers.push(setTimeout(() => this.stop('wall'), this.spec.limits.wallTimeMs));
    const interval = this.ctx.driver.version === 'none' ? CPU_POLL_MS.none : CPU_POLL_MS.cgroup;
    this.timers.push(setInterval(() => void this.pollCpu(), interval));
  }

  private async pollCpu(): Promise<void> {
    if (this.polling || this.exited) return;
    this.polling = true;
    try {
      if ((await this.resources.cgroup.cpuTimeMs()) >= this.spec.limits.cpuTimeMs) this.stop('cpu');
    } catch (error) {
      this.resources.logger.warn({ err: error }, 'sandbox CPU poll failed');
    } finally {
      this.polling = false;
    }
  }

  /** Ends the run because a limit was hit (the first reason wins) or setup took too long. */
  private stop(reason: Exclude<LimitHit, null> | 'setup-timeout'): void {
    if (this.exited) return;
    if (reason !== 'setup-timeout' && this.limitHit === null) this.limitHit = reason;
    this.terminate();
  }

  private terminate(): void {
    if (this.exited) return;
    // bwrap's monitor dies, --die-with-parent takes the namespace's init with it, and the kernel kills the whole pid namespace;
    // the group kill below also reaches anything that raced out of it.
    this.child.kill('SIGKILL');
    this.resources.cgroup.killAll().catch((error: unknown) => this.resources.logger.warn({ err: error }, 'sandbox kill failed'));
  }

  private async finish(exit: { code: number | null; signal: NodeJS.Signals | null }): Promise<SandboxRunResult> {
    this.exited = true;
    this.endedAt = process.hrtime.bigint();
    for (const timer of this.timers) clearTimeout(timer);
    this.removeAbortListener();
    const { cgroup, workDir, logger, uid } = this.resources;
    const started = this.startedAt !== null;
    let teardownError: unknown = null;
    let figures: CgroupFigures = { cpuTimeMs: 0, memoryPeakKb: 0, oomKilled: false, processLimitHit: false };
    let files: SandboxFile[] = [];
    let fileSizeCap = false;
    const status = interpretExit(exit.code, exit.signal);
    try {
      await cgroup.killAll();
      await this.drainStreams();
      figures = await cgroup.figures();
      if (started && this.limitHit === null && !this.aborted && isFailure(status)) {
        fileSizeCap = await workDir.hitFileSizeCap(this.spec.limits.fileSizeBytes).catch(() => false);
      }
      if (started && this.spec.collectFiles) {
        files = await workDir.collect({ maxBytes: Math.min(COLLECT_MAX_BYTES, this.spec.limits.workDirMb * 1024 * 1024), maxFiles: COLLECT_MAX_FILES });
      }
    } catch (error) {
      teardownError = error;
    }
    try {
      await cgroup.remove();
      await workDir.destroy();
    } catch (error) {
      teardownError ??= error;
    }
    if (teardownError === null) this.ctx.uids.release(uid);
    this.ctx.onSettled(this);

    if (teardownError !== null) {
      // The uid stays leased: a process of this run may still be alive.
      logger.error({ err: teardownError, uid }, 'SANDBOX TEARDOWN FAILED: the run may have left processes, a cgroup or a work dir behind');
      const error = new AppError(SANDBOX_ERRORS.teardownFailed, `sandbox teardown failed: ${(teardownError as Error).message}`, { cause: teardownError });
      this.settleStarted(error);
      throw error;
    }
    if (!started) {
      const detail = this.output.result().stderr.toString('utf8').trim().slice(0, 2000);
      const error = new AppError(SANDBOX_ERRORS.setupFailed, `sandbox did not start the program${detail ? `: ${detail}` : ` (exit ${exit.code ?? exit.signal})`}`);
      if (!this.aborted) logger.error({ exit }, error.message);
      this.settleStarted(error);
      throw error;
    }
    const result: SandboxRunResult = {
      ...this.output.result(),
      ...status,
      cpuTimeMs: Math.round(figures.cpuTimeMs),
      wallTimeMs: Math.round(Number(this.endedAt - this.startedAt!) / 1e6),
      memoryKb: figures.memoryPeakKb,
      limitHit: this.limitHit ?? inferLimitHit(status, figures, this.spec.limits.cpuTimeMs, fileSizeCap),
      aborted: this.aborted,
      files,
    };
    logger.debug({ exitCode: result.exitCode, signal: result.signal, limitHit: result.limitHit, cpuTimeMs: result.cpuTimeMs, wallTimeMs: result.wallTimeMs }, 'sandbox run finished');
    return result;
  }

  private async drainStreams(): Promise<void> {
    const streams = [this.child.stdout!, this.child.stderr!].filter((stream) => !stream.closed);
    if (streams.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(streams.map((stream) => new Promise((resolve) => stream.once('close', resolve)))),
      new Promise((resolve) => (timer = setTimeout(resolve, STREAM_DRAIN_MS))),
    ]);
    clearTimeout(timer);
    for (const stream of streams) stream.destroy();
  }
}

function isFailure(status: ExitStatus): boolean {
  return status.signal !== null || (status.exitCode !== null && status.exitCode !== 0);
}

/** Which limit explains an end the sandbox did not cause itself (the kernel's OOM killer, an rlimit, a full disk). */
export function inferLimitHit(status: ExitStatus, figures: CgroupFigures, cpuLimitMs: number, fileSizeCap: boolean): LimitHit {
  if (figures.oomKilled) return 'memory';
  if (status.signal === 'SIGXCPU' || (status.signal === 'SIGKILL' && figures.cpuTimeMs >= cpuLimitMs)) return 'cpu';
  if (status.signal === 'SIGXFSZ' || (isFailure(status) && fileSizeCap)) return 'file-size';
  if (isFailure(status) && figures.processLimitHit) return 'processes';
  return null;
}
