// One command of a workspace from hand-over to verified teardown: limits enforced while it runs, figures and files read after.
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../../logging/logger.js';
import { AppError, SANDBOX_ERRORS } from '../../../errors/index.js';
import type { LimitHit, SandboxCommand, SandboxProcess, SandboxRunResult } from '../../sandbox.js';
import type { CgroupDriver } from '../../cgroup/cgroup-driver.js';
import { isWorkDirFull } from '../../work-dir.js';
import type { HostLayout } from '../host-layout.js';
import type { RunnerPool } from '../pool/runner-pool.js';
import type { ExitInfo, WarmRunner } from '../pool/warm-runner.js';
import { OutputCapture } from './output-capture.js';
import { tearDown, type PhaseTimes } from './teardown.js';

/** Everything a run needs from the sandbox that starts it. */
export interface RunContext {
  driver: CgroupDriver;
  pool: RunnerPool;
  layout: HostLayout;
  /** This server's directory of slot mount points. */
  runsDir: string;
  logger: Logger;
  /** Time bwrap gets to report that the program started before the run counts as a sandbox fault, ms. */
  setupTimeoutMs: number;
  /** Called when a run is handed to its prologue and once its teardown has finished (the sandbox tracks live runs). */
  onCreated: (run: SandboxRun) => void;
  onSettled: (run: SandboxRun) => void;
}

/** How a command reports back to the workspace whose slot it runs on. */
export interface CommandHooks {
  /** The program started: the workspace may prepare the prologue of its next command. */
  started: () => void;
  /** Set-up failed before hand-over: the prologue must be discarded and the half-written argv file removed. */
  setupFailed: (warm: WarmRunner) => Promise<void>;
  /** Teardown finished (every process gone, or the slot retired); awaited before the result settles. */
  ended: (slotRetired: boolean) => Promise<void>;
}

/** Default time bwrap gets to report that the program started before the run counts as a sandbox fault. */
export const SETUP_TIMEOUT_MS = 15_000;
/** How often the group's CPU time is read to enforce the limit on the total of every process. */
const CPU_POLL_MS = { cgroup: 20, none: 100 } as const;

/** What callers (and in the end users) are told of a sandbox fault; the details, host paths included, go to the server log. */
const SETUP_FAILED = 'the sandbox could not prepare the run';

/**
 * Hands a validated command to the workspace's prologue: resizes the work dir to the command's limit, applies limits and
 * writes argv; resolves once the program started.
 */
export async function startCommand(ctx: RunContext, spec: SandboxCommand, warm: WarmRunner, hooks: CommandHooks): Promise<SandboxRun> {
  const preparing = process.hrtime.bigint();
  const runId = randomUUID();
  const logger = ctx.logger.child({ runId, ...(spec.label ? { label: spec.label } : {}) });
  try {
    await warm.slot.workDir.resize(spec.limits.workDirMb);
    await warm.cgroup.applyLimits({ memoryBytes: spec.limits.memoryMb * 1024 * 1024, processes: spec.limits.processes + warm.extraProcesses });
    await warm.prepare(spec);
  } catch (error) {
    await hooks.setupFailed(warm);
    // A remount to a size below what the files take fails (EINVAL), as a write that does not fit does (ENOSPC).
    if (isWorkDirFull(error) || (await warm.slot.workDir.usedBytes().catch(() => 0)) > spec.limits.workDirMb * 1024 * 1024) {
      throw new AppError(SANDBOX_ERRORS.workDirFull, `the run's files and arguments do not fit in its work dir of ${spec.limits.workDirMb} MB`, { cause: error });
    }
    logger.error({ err: error }, 'SANDBOX: run set-up failed');
    throw new AppError(SANDBOX_ERRORS.setupFailed, SETUP_FAILED, { cause: error });
  }
  let run: SandboxRun;
  try {
    run = new SandboxRun(ctx, spec, warm, { runId, logger, preparing }, hooks);
  } catch (error) {
    // The hand-over itself was refused (a job a resident cannot take): the runner never got its command and is
    // discarded like any failed set-up, so its slot (and a resident's turn) is given back.
    await hooks.setupFailed(warm);
    logger.error({ err: error }, 'SANDBOX: the run could not be handed over');
    throw new AppError(SANDBOX_ERRORS.setupFailed, SETUP_FAILED, { cause: error });
  }
  await run.started;
  return run;
}

interface RunIdentity {
  runId: string;
  logger: Logger;
  /** When preparation began; for the phase timings logged at debug level. */
  preparing: bigint;
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

  private readonly output: OutputCapture;
  private limitHit: LimitHit = null;
  private aborted = false;
  private exited = false;
  private readonly handedOverAt = process.hrtime.bigint();
  private startedAt: bigint | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private setupTimer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Settles once the program's CPU clock has started (the cgroup's usage at program start is recorded). */
  private cpuClock: Promise<void> = Promise.resolve();
  /** Settles once the argv file is gone; awaited before the slot is reset, so it can never hit the next run's file. */
  private argvRemoval: Promise<void> = Promise.resolve();
  private settleStarted!: (error?: AppError) => void;
  private readonly removeAbortListener: () => void;

  constructor(
    private readonly ctx: RunContext,
    private readonly spec: SandboxCommand,
    private readonly warm: WarmRunner,
    private readonly identity: RunIdentity,
    private readonly hooks: CommandHooks,
  ) {
    this.runId = identity.runId;
    this.started = new Promise<void>((resolve, reject) => {
      this.settleStarted = (error) => (error ? reject(error) : resolve());
    });
    // A failed start is reported by `started`; the result promise repeats it but must not count as unhandled.
    this.started.catch(() => undefined);
    this.output = new OutputCapture(spec.limits.outputBytes, () => this.stop('output'));
    this.stdout = this.output.stdout;
    this.stderr = this.output.stderr;
    warm.onStarted = () => {
      if (this.startedAt === null && !this.exited) this.onProgramStarted();
    };

    // Handed over before any timer or listener exists: a refused hand-over (it throws) leaves nothing behind.
    warm.go({ command: spec, fallbackRlimits: ctx.driver.fallbackRlimits, layout: ctx.layout });
    const onAbort = () => this.kill();
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    this.removeAbortListener = () => spec.signal?.removeEventListener('abort', onAbort);
    this.setupTimer = setTimeout(() => this.stop('setup-timeout'), ctx.setupTimeoutMs);
    this.timers.push(this.setupTimer);
    // The streams exist once the command is handed over; nothing flows before this tick ends.
    this.stdin = warm.stdin;
    this.output.attach(warm.stdout, 'stdout');
    this.output.attach(warm.stderr, 'stderr');
    if (spec.signal?.aborted) this.kill();

    this.result = warm.exited.then((exit) => this.finish(exit));
    // When setup fails, `started` carries the error to the caller and nobody holds this promise.
    this.result.catch(() => undefined);
    ctx.onCreated(this);
  }

  signal(name: NodeJS.Signals): void {
    if (this.exited || this.startedAt === null) return;
    this.warm.signal(name).catch((error: unknown) => this.identity.logger.warn({ err: error }, 'sandbox signal failed'));
  }

  kill(): void {
    if (this.exited) return;
    this.aborted = true;
    this.terminate();
  }

  private onProgramStarted(): void {
    this.startedAt = process.hrtime.bigint();
    // Set-up is over: from here only the run's own limits may end it (a long run must not die at the set-up deadline).
    clearTimeout(this.setupTimer);
    const { logger } = this.identity;
    // From here on CPU time is the program's: what the prologue, setpriv and bwrap used before is subtracted (a resident's
    // parked child counts from the hand-over instead, see WarmRunner.cpuClockAtStart).
    if (this.warm.cpuClockAtStart) this.cpuClock = this.warm.cgroup.startCpuClock().catch((error: unknown) => logger.warn({ err: error }, 'sandbox CPU clock start failed'));
    this.argvRemoval = this.warm.afterStart().catch((error: unknown) => logger.warn({ err: error }, 'sandbox argv file not removed'));
    this.settleStarted();
    this.ctx.pool.refillSoon();
    this.hooks.started();
    this.timers.push(setTimeout(() => this.stop('wall'), this.spec.limits.wallTimeMs));
    const interval = this.ctx.driver.version === 'none' ? CPU_POLL_MS.none : CPU_POLL_MS.cgroup;
    this.timers.push(setInterval(() => void this.pollCpu(), interval));
  }

  private async pollCpu(): Promise<void> {
    if (this.polling || this.exited) return;
    this.polling = true;
    try {
      await this.cpuClock;
      if ((await this.warm.cgroup.cpuTimeMs()) >= this.spec.limits.cpuTimeMs) this.stop('cpu');
    } catch (error) {
      this.identity.logger.warn({ err: error }, 'sandbox CPU poll failed');
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
    // The group kill also reaches anything that raced out of the runner's own kill.
    this.warm.kill();
    this.warm.cgroup.killAll().catch((error: unknown) => this.identity.logger.warn({ err: error }, 'sandbox kill failed'));
  }

  private async finish(exit: ExitInfo): Promise<SandboxRunResult> {
    this.exited = true;
    const endedAt = process.hrtime.bigint();
    for (const timer of this.timers) clearTimeout(timer);
    this.removeAbortListener();
    const { logger } = this.identity;
    const started = this.startedAt !== null;
    await Promise.all([this.cpuClock, this.argvRemoval]);
    const outcome = await tearDown({
      warm: this.warm,
      pool: this.ctx.pool,
      spec: this.spec,
      exit,
      started,
      stoppedBySandbox: this.limitHit !== null || this.aborted,
    });
    await this.hooks.ended(outcome.slotRetired);
    this.ctx.onSettled(this);

    if (outcome.error !== null) {
      logger.error({ err: outcome.error, uid: this.warm.slot.uid }, 'SANDBOX TEARDOWN FAILED: the run may have left processes, a cgroup or a work dir behind');
      const error = new AppError(SANDBOX_ERRORS.teardownFailed, 'the sandbox could not clean up after the run', { cause: outcome.error });
      this.settleStarted(error);
      throw error;
    }
    if (!started && this.aborted) {
      // Stopped by its caller before bwrap reported the program: an aborted run, not a sandbox fault.
      this.settleStarted();
      return { ...this.output.result(), exitCode: null, signal: 'SIGKILL', cpuTimeMs: 0, wallTimeMs: 0, memoryKb: 0, limitHit: null, aborted: true, files: [] };
    }
    if (!started) {
      // bwrap's and the prologue's own words name host paths: they stay in the log.
      const detail = exit.error?.message ?? this.output.result().stderr.toString('utf8').trim().slice(0, 2000);
      logger.error({ exit: { code: exit.code, signal: exit.signal }, detail }, 'SANDBOX: the sandbox did not start the program');
      const error = new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox could not start the program');
      this.settleStarted(error);
      throw error;
    }
    const result: SandboxRunResult = {
      ...this.output.result(),
      ...outcome.status,
      cpuTimeMs: Math.round(outcome.figures.cpuTimeMs),
      wallTimeMs: Math.round(Number(endedAt - this.startedAt!) / 1e6),
      memoryKb: outcome.figures.memoryPeakKb,
      limitHit: this.limitHit ?? outcome.inferredLimit,
      aborted: this.aborted,
      files: outcome.files,
    };
    const phases: PhaseTimes = {
      prepareMs: ms(this.identity.preparing, this.handedOverAt),
      startMs: ms(this.handedOverAt, this.startedAt!),
      runMs: ms(this.startedAt!, endedAt),
      teardownMs: ms(endedAt, process.hrtime.bigint()),
    };
    logger.debug({ exitCode: result.exitCode, signal: result.signal, limitHit: result.limitHit, cpuTimeMs: result.cpuTimeMs, wallTimeMs: result.wallTimeMs, ...phases }, 'sandbox run finished');
    return result;
  }
}

function ms(from: bigint, to: bigint): number {
  return Number(to - from) / 1e6;
}
