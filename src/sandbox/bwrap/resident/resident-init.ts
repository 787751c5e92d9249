// One resident sandbox: a root bwrap started once per slot whose PID 1 forks each run on request, driven by frames on a socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { AppError, SANDBOX_ERRORS } from '../../../errors/index.js';
import type { Logger } from '../../../logging/logger.js';
import { FRAME, FrameDecoder, encodeDataFrames, encodeFrame, type Frame } from './frames.js';
import { encodeJob, type ResidentJob } from './job-payload.js';
import { RESIDENT_INIT_MOUNT } from './resident-options.js';

export type { ResidentJob } from './job-payload.js';
export { residentBwrapOptions } from './resident-options.js';
export { DEFAULT_RESIDENT_INIT, findResidentInit } from './find-resident-init.js';

/** Descriptor of the control socket in bwrap and PID 1. */
const CONTROL_FD = 3;
/** Descriptor bwrap reports PID 1's host pid on (`--json-status-fd`). */
export const RESIDENT_STATUS_FD = 4;
/** How long close() waits for PID 1 to end everything after the socket closed, before killing bwrap. */
const CLOSE_GRACE_MS = 2000;
/** How long bwrap may take to build the namespaces and PID 1 to answer hello (generous: emulated kernels are slow). */
const START_TIMEOUT_MS = 30_000;
/** Diagnostics of bwrap and PID 1 kept for the log when the resident fails. */
const DIAGNOSTICS_BYTES = 4096;

export interface ResidentInitOptions {
  bwrapPath: string;
  /** Host path of native/build/runlane-resident-init. */
  initPath: string;
  /** bwrap options before `--` from residentBwrapOptions() (resident-options.ts). */
  bwrapOptions: readonly string[];
  /** Classic BPF bytes of the seccomp filter (native/build/seccomp.bpf). */
  seccompFilter: Buffer;
  /** The slot's pool uid, never 0. */
  hostUid: number;
  /** The uid programs see (SANDBOX_UID of host-layout.ts). */
  sandboxUid: number;
  /** bwrap's environment: a bare PATH (nothing of the server's variables). */
  hostEnv: NodeJS.ProcessEnv;
  logger: Logger;
}

/** A child PID 1 forked for the next run. */
export interface ParkedChild {
  hostPid: number;
  /** PID 1 created it inside the group it was asked for (CLONE_INTO_CGROUP); else it is in the resident's own group. */
  placed: boolean;
}

export interface ResidentEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when every process was gone, the output drained and the reset verified. */
  clean: boolean;
  problem: string | null;
  /** True when the resident itself went away (killed from the host, a protocol fault), not when PID 1 reported the end. */
  residentExited?: boolean;
}

export interface ResidentRun {
  /** Writes become STDIN frames; end() sends STDIN EOF. */
  readonly stdin: Writable;
  /** Ends when ENDED arrives. */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves on STARTED; rejects (SANDBOX_ERRORS.setupFailed, no host paths) on EXEC FAILED or if the resident dies first. */
  readonly started: Promise<void>;
  /** Resolves on ENDED; if the resident dies first, resolves { clean: false, problem }. */
  readonly ended: Promise<ResidentEnd>;
  kill(): void;
  signal(name: NodeJS.Signals): void;
}

type State = 'starting' | 'idle' | 'parking' | 'parked' | 'running' | 'broken' | 'exited';

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(osConstants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** Parses ENDED: `exit N|signal N` then ` clean` or ` unclean REASON`. */
export function parseEnded(text: string): ResidentEnd {
  const match = /^(exit|signal) (\d+) (clean|unclean (.*))$/s.exec(text);
  if (!match) throw new Error(`malformed ended frame: ${JSON.stringify(text)}`);
  const number = Number(match[2]);
  const clean = match[3] === 'clean';
  return {
    code: match[1] === 'exit' ? number : null,
    signal: match[1] === 'signal' ? (SIGNAL_NAMES.get(number) ?? null) : null,
    clean,
    problem: clean ? null : match[4]!,
  };
}

/**
 * The host pid of a child PID 1 reported as `nsPid`: among PID 1's children, the one whose NSpid (host … innermost) ends
 * with that pid. Null when there is none (it died, or the kernel lacks /proc/…/children and no process matches).
 */
export function hostPidOfChild(initHostPid: number, nsPid: number): number | null {
  // Synchronous on purpose: procfs answers from memory, and a thread-pool round trip per file costs more than the read.
  let children: number[];
  try {
    children = readFileSync(`/proc/${initHostPid}/task/${initHostPid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: every process is a candidate, its PPid decides.
    children = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  }
  for (const pid of children) {
    let status = '';
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      continue;
    }
    const parent = /^PPid:\s+(\d+)$/m.exec(status)?.[1];
    const nspids = /^NSpid:\s+([\d\s]+)$/m.exec(status)?.[1]?.trim().split(/\s+/).map(Number);
    if (Number(parent) === initHostPid && nspids && nspids.length >= 2 && nspids[0] === pid && nspids.at(-1) === nsPid) return pid;
  }
  return null;
}

/** True when the parked child could not execute the program itself (missing, not executable): the program's failure, not the sandbox's. */
export function isProgramFault(execFailure: string): boolean {
  return execFailure.startsWith(EXEC_FAILURE_PREFIX);
}

/** How native/resident-init.c words the failure of the final execvp. */
const EXEC_FAILURE_PREFIX = 'cannot execute the program';

/** The run handed to the parked child, fed by frames until ENDED. */
class RunHandle implements ResidentRun {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin: Writable;
  readonly started: Promise<void>;
  readonly ended: Promise<ResidentEnd>;
  private resolveStarted!: () => void;
  private rejectStarted!: (error: Error) => void;
  private resolveEnded!: (end: ResidentEnd) => void;
  private over = false;

  constructor(
    private readonly resident: ResidentInit,
    /** argv[0] of the job, named when it cannot be executed. */
    private readonly program: string,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    // The caller may await only `ended`; a failed start must not become an unhandled rejection.
    this.started.catch(() => undefined);
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    this.stdin = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.over) return callback();
        resident.send(encodeDataFrames(FRAME.stdin, chunk), callback);
      },
      final: (callback) => {
        if (!this.over) resident.send([encodeFrame(FRAME.stdinEof)]);
        callback();
      },
    });
  }

  kill(): void {
    if (!this.over) this.resident.send([encodeFrame(FRAME.kill)]);
  }

  signal(name: NodeJS.Signals): void {
    const number = osConstants.signals[name];
    if (number === undefined) throw new Error(`unknown signal ${name}`);
    if (!this.over) this.resident.send([encodeFrame(FRAME.signal, String(number))]);
  }

  onStarted(): void {
    this.resolveStarted();
  }

  /** The program's failure, as a shell would report it: the reason goes to its stderr, the exit status (127) follows. */
  onExecFailed(reason: string): void {
    if (!this.over && isProgramFault(reason)) this.stderr.write(`runlane: cannot run ${this.program}: ${reason}\n`);
    this.rejectStarted(new AppError(SANDBOX_ERRORS.setupFailed, `the program could not be started: ${reason}`));
  }

  finish(end: ResidentEnd): void {
    if (this.over) return;
    this.over = true;
    this.rejectStarted(new AppError(SANDBOX_ERRORS.setupFailed, `the run ended before its program started${end.problem ? `: ${end.problem}` : ''}`));
    this.stdout.end();
    this.stderr.end();
    this.resolveEnded(end);
  }
}

/** A resident sandbox: bwrap with PID 1 inside, one per slot, running one program at a time. */
export class ResidentInit {
  private hostPid = 0;
  /** Settles when the resident (bwrap) exited, for any reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly control: Socket;
  private readonly decoder = new FrameDecoder();
  private state: State = 'starting';
  private diagnostics = '';
  private failure: string | null = null;
  private run: RunHandle | null = null;
  private waiter: { resolve: (frame: Frame) => void; reject: (error: Error) => void } | null = null;
  /** Resolves once bwrap reported PID 1's host pid on its status descriptor. */
  private readonly pidKnown: Promise<void>;

  private constructor(private readonly options: ResidentInitOptions) {
    if (!Number.isInteger(options.hostUid) || options.hostUid <= 0) throw new Error(`refusing to run as host uid ${options.hostUid}`);
    this.child = spawn(options.bwrapPath, [...options.bwrapOptions, '--', RESIDENT_INIT_MOUNT], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: options.hostEnv,
      cwd: '/',
    });
    this.control = this.child.stdio[CONTROL_FD] as Socket;
    this.exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      this.child.once('error', (error) => {
        this.failure ??= `bwrap could not be started: ${error.message}`;
        resolve({ code: null, signal: null });
      });
      // 'close', not 'exit': frames PID 1 wrote just before it ended (a fatal reason) are read first.
      this.child.once('close', (code, signal) => resolve({ code, signal }));
    }).then((exit) => {
      this.onExit(exit);
      return exit;
    });
    this.child.stdin!.end();
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      // Diagnostics only (they name host paths): logged, never shown to users.
      stream.on('data', (chunk: Buffer) => {
        this.diagnostics = (this.diagnostics + chunk.toString()).slice(-DIAGNOSTICS_BYTES);
        options.logger.debug({ residentOutput: chunk.toString() }, 'resident sandbox diagnostics');
      });
    }
    this.control.on('data', (chunk: Buffer) => this.onData(chunk));
    this.control.on('error', () => undefined);
    const status = this.child.stdio[RESIDENT_STATUS_FD] as Readable;
    let statusText = '';
    this.pidKnown = new Promise<void>((resolve, reject) => {
      status.on('data', (chunk: Buffer) => {
        statusText += chunk.toString();
        const match = /"child-pid"\s*:\s*(\d+)/.exec(statusText);
        if (match && this.hostPid === 0) {
          this.hostPid = Number(match[1]);
          resolve();
        }
      });
      void this.exited.then(() => reject(new Error(this.failure ?? 'bwrap exited before it reported the pid of PID 1')));
    });
    this.pidKnown.catch(() => undefined);
    status.on('error', () => undefined);
  }

  /** True while a child waits for its job (parked, not yet begun, resident alive). */
  get parked(): boolean {
    return this.state === 'parked';
  }

  /** True once bwrap exited, for whatever reason (set before `exited` settles for anyone). */
  get hasExited(): boolean {
    return this.state === 'exited';
  }

  /** Host pid of PID 1 (0 until bwrap reported it). */
  get pid(): number {
    return this.hostPid;
  }

  /** Spawns bwrap + init, sends HELLO, resolves on READY (rejects with the reason, logged with bwrap's output). */
  static async start(options: ResidentInitOptions): Promise<ResidentInit> {
    const resident = new ResidentInit(options);
    const hello = Buffer.concat([Buffer.from(`${options.hostUid} ${options.sandboxUid}\n`), options.seccompFilter]);
    const timer = setTimeout(() => resident.fail(`PID 1 did not answer within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    try {
      const ready = resident.expect();
      resident.send([encodeFrame(FRAME.hello, hello)]);
      // Two descriptors, so either may be read first.
      await Promise.all([ready, resident.pidKnown]);
    } catch (error) {
      options.logger.warn({ err: error, diagnostics: resident.diagnostics }, 'resident sandbox failed to start');
      await resident.close();
      throw new AppError(SANDBOX_ERRORS.setupFailed, `the resident sandbox could not be started: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    resident.state = 'idle';
    return resident;
  }

  /**
   * Forks the next run's child, which waits for its job; resolves with its host pid (verified through NSpid) and whether
   * PID 1 created it inside `cgroupName` (a group under the bound cgroup v2 parent, see CGROUP_MOUNT); when not, the
   * caller places it in the run's cgroups. One at a time, only between runs.
   */
  async park(cgroupName: string | null = null): Promise<ParkedChild> {
    if (this.state !== 'idle') throw new Error(`park() while the resident is ${this.state}`);
    this.state = 'parking';
    const parked = this.expect();
    this.send([encodeFrame(FRAME.park, cgroupName ?? '')]);
    const frame = await parked;
    const match = /^(\d+)( placed)?$/.exec(frame.payload.toString());
    if (!match) {
      this.fail(`PID 1 sent a malformed parked frame: ${JSON.stringify(frame.payload.toString().slice(0, 60))}`);
      throw new AppError(SANDBOX_ERRORS.setupFailed, 'the resident sandbox answered a park with a malformed frame');
    }
    const nsPid = Number(match[1]);
    const hostPid = hostPidOfChild(this.pid, nsPid);
    if (hostPid === null) {
      this.fail(`the parked child ${nsPid} was not found among PID 1's children`);
      throw new AppError(SANDBOX_ERRORS.setupFailed, 'the parked child of the resident sandbox could not be found');
    }
    // Parked state may have been left already (the child was killed): begin() then refuses.
    if (this.state === 'parking') this.state = 'parked';
    return { hostPid, placed: match[2] !== undefined };
  }

  /** Hands the job to the parked child. Calling it without a parked child, or before the previous run ended, throws. */
  begin(job: ResidentJob): ResidentRun {
    if (this.state !== 'parked') throw new Error(`begin() while the resident is ${this.state}`);
    // Encoded first: a job PID 1 would refuse throws here and leaves the child parked.
    const frame = encodeFrame(FRAME.job, encodeJob(job));
    const run = new RunHandle(this, job.argv[0] ?? '');
    this.run = run;
    this.state = 'running';
    this.send([frame]);
    return run;
  }

  /**
   * Kills the parked child before it was given a job and waits for PID 1 to report the resident clean again (a job the
   * caller no longer has, e.g. when its workspace is destroyed). Rejects when the reset could not be verified.
   */
  async unpark(): Promise<void> {
    if (this.state !== 'parked') throw new Error(`unpark() while the resident is ${this.state}`);
    const run = new RunHandle(this, '');
    this.run = run;
    this.state = 'running';
    this.send([encodeFrame(FRAME.kill)]);
    const end = await run.ended;
    if (!end.clean) throw new Error(end.problem ?? 'the resident could not verify its reset');
  }

  /** Kills every process and PID 1, waits for bwrap to exit. Never throws. */
  async close(): Promise<void> {
    if (this.state !== 'exited') {
      // End of file on the socket: PID 1 kills everything and exits, and bwrap with it.
      this.control.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /** @internal Writes frames to PID 1; `done` runs once the socket took them. */
  send(frames: readonly Buffer[], done?: (error?: Error | null) => void): void {
    if (this.state === 'exited' || this.control.destroyed || !this.control.writable) {
      done?.();
      return;
    }
    const data = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    // A write error means the resident is gone; `exited` reports it, the writer must not fail for it.
    this.control.write(data, () => done?.());
  }

  private expect(): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      if (this.state === 'exited') reject(new Error(this.failure ?? 'the resident sandbox exited'));
      else this.waiter = { resolve, reject };
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.fail(`PID 1 sent a malformed frame: ${(error as Error).message}`);
      return;
    }
    for (const frame of frames) this.onFrame(frame);
  }

  private onFrame(frame: Frame): void {
    const text = (): string => frame.payload.toString('utf8');
    switch (frame.type) {
      case FRAME.ready:
      case FRAME.parked: {
        const waiter = this.waiter;
        this.waiter = null;
        if (waiter) waiter.resolve(frame);
        else this.fail(`unexpected frame ${frame.type}`);
        return;
      }
      case FRAME.started:
        this.run?.onStarted();
        return;
      case FRAME.execFailed:
        this.run?.onExecFailed(text());
        return;
      case FRAME.stdout:
        this.run?.stdout.write(frame.payload);
        return;
      case FRAME.stderr:
        this.run?.stderr.write(frame.payload);
        return;
      case FRAME.ended: {
        let end: ResidentEnd;
        try {
          end = parseEnded(text());
        } catch (error) {
          this.fail((error as Error).message);
          return;
        }
        const run = this.run;
        this.run = null;
        if (!end.clean) this.options.logger.warn({ problem: end.problem }, 'resident sandbox reset failed');
        this.state = end.clean ? 'idle' : 'broken';
        run?.finish(end);
        return;
      }
      case FRAME.fatal:
        this.fail(`PID 1 stopped: ${text()}`);
        return;
      default:
        this.fail(`unknown frame type ${JSON.stringify(frame.type)}`);
    }
  }

  /** A protocol error: the resident cannot be trusted any more; killing bwrap settles everything through onExit. */
  private fail(reason: string): void {
    this.failure ??= reason;
    this.options.logger.error({ reason, diagnostics: this.diagnostics }, 'resident sandbox failed');
    if (this.state !== 'exited') this.state = 'broken';
    this.child.kill('SIGKILL');
  }

  private onExit(exit: { code: number | null; signal: NodeJS.Signals | null }): void {
    this.state = 'exited';
    const reason = this.failure ?? `the resident sandbox exited (${exit.signal ?? `code ${exit.code}`})`;
    this.waiter?.reject(new Error(reason));
    this.waiter = null;
    const run = this.run;
    this.run = null;
    run?.finish({ code: null, signal: null, clean: false, problem: reason, residentExited: true });
    this.control.destroy();
  }
}
