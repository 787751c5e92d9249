// A cold prologue started ahead of time: already inside its run's cgroups, waiting on its go descriptor for a program to run.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { SandboxCommand } from '../../sandbox.js';
import type { RunCgroup } from '../../cgroup/cgroup-driver.js';
import { bwrapOptions, commandPrefix } from '../bwrap-argv.js';
import { launcherArgs } from '../launcher.js';
import { BWRAP_EXTRA_PROCESSES, GO_FD, PROLOGUE_SCRIPT, SECCOMP_FD, STATUS_FD, goMessage, prologueArgs } from '../prologue.js';
import { StatusReader } from '../status-reader.js';
import { interpretExit, type ExitStatus } from '../run/exit-status.js';
import type { Slot } from './slot.js';
import type { ExitInfo, GoInput, WarmRunner } from './warm-runner.js';

export type { ExitInfo } from './warm-runner.js';

/** How a warm process is started. */
export interface WarmSpawnOptions {
  bashPath: string;
  setprivPath: string;
  bwrapPath: string;
  /** A bare PATH: bwrap's own environment is visible as /proc/1/environ inside the sandbox. */
  hostEnv: NodeJS.ProcessEnv;
  /** The seccomp filter (classic BPF) the prologue opens for bwrap's `--seccomp`. */
  seccompFilter: string;
  /** The native launcher (native/launcher.c); null starts runs through the bash prologue and setpriv instead. */
  launcherPath: string | null;
}

/** How long an exited prologue's status pipe is waited for before its exit is reported anyway. */
const STATUS_CLOSE_WAIT_MS = 1_000;

/** One waiting prologue bound to a slot (uid + work dir) and a fresh cgroup; its bwrap builds the run's namespaces afresh. */
export class WarmProcess implements WarmRunner {
  readonly child: ChildProcess;
  readonly status: StatusReader;
  /** Settles when the process has exited (before or after it was handed a run). */
  readonly exited: Promise<ExitInfo>;
  /** Resolves true once the prologue sits in its cgroups waiting for a run, false if it died first. */
  readonly ready: Promise<boolean>;
  readonly extraProcesses = BWRAP_EXTRA_PROCESSES;
  readonly cpuClockAtStart = true;
  readonly resetProblem = null;
  onStarted: () => void = () => undefined;
  private exitInfo: ExitInfo | null = null;
  private startReported = false;

  constructor(
    readonly slot: Slot,
    readonly cgroup: RunCgroup,
    options: WarmSpawnOptions,
  ) {
    let markReady: (ready: boolean) => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.status = new StatusReader(() => {
      if (this.status.ready) markReady(true);
      // A report read after bwrap exited comes too late: teardown (and the slot's reset) may already be under way.
      if (this.status.childPid !== null && !this.startReported && this.exitInfo === null) {
        this.startReported = true;
        this.onStarted();
      }
    });
    const [command, args] = prologueCommand(slot, cgroup, options);
    this.child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: options.hostEnv,
      cwd: '/',
    });
    const statusStream = this.child.stdio[STATUS_FD] as Readable;
    statusStream.on('data', (chunk: Buffer) => this.status.push(chunk));
    statusStream.on('error', () => undefined);
    // A program that exits without reading its input closes the pipe: EPIPE is expected, not a fault.
    this.child.stdin!.on('error', () => undefined);
    (this.child.stdio[GO_FD] as Writable).on('error', () => undefined);
    // bwrap's status report may still sit in its pipe when Node sees the exit (a program that ends at once): the exit
    // counts once that pipe closed too, so a run that started is never taken for one that did not. Bounded, in case a
    // process kept the descriptor.
    const statusClosed = new Promise<void>((resolve) => statusStream.once('close', resolve));
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once('error', (error) => resolve({ code: null, signal: null, error }));
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    }).then(async (info) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([statusClosed, new Promise((resolve) => (timer = setTimeout(resolve, STATUS_CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
      this.exitInfo = info;
      markReady(false);
      return info;
    });
  }

  /** Null while the process lives. */
  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  get isReady(): boolean {
    return this.status.ready;
  }

  get stdin(): Writable {
    return this.child.stdin!;
  }

  get stdout(): Readable {
    return this.child.stdout!;
  }

  get stderr(): Readable {
    return this.child.stderr!;
  }

  /** The argv goes to a file the prologue reads (see `WorkDir.writeArgv`): megabytes of it would be slow through a pipe. */
  prepare(command: SandboxCommand): Promise<void> {
    return this.slot.workDir.writeArgv(command.argv);
  }

  /** Hands the run to the prologue (rlimits and bwrap options), then EOF so bwrap's `--args` read ends. */
  go(input: GoInput): void {
    const { workDir } = this.slot;
    const options = bwrapOptions({
      systemArgs: input.layout.systemArgs,
      boxDir: workDir.boxDir,
      tmpDir: workDir.tmpDir,
      shmDir: workDir.shmDir,
      env: input.command.env,
      statusFd: STATUS_FD,
      seccompFd: SECCOMP_FD,
    });
    const message = goMessage({ limits: input.command.limits, fallbackRlimits: input.fallbackRlimits, argc: input.command.argv.length, bwrapOptions: options });
    (this.child.stdio[GO_FD] as Writable).end(message);
  }

  /** The prologue has read its argv by now; the file's space goes back to the run. */
  afterStart(): Promise<void> {
    return this.slot.workDir.removeArgv();
  }

  kill(): void {
    // bwrap's monitor dies, --die-with-parent takes the namespace's init with it, and the kernel kills the whole pid namespace.
    this.child.kill('SIGKILL');
  }

  /** The bwrap monitor and the namespace's init are spared: killing them would end the run instead of signalling it. */
  signal(name: NodeJS.Signals): Promise<void> {
    const exclude = [this.child.pid, this.status.childPid].filter((pid): pid is number => typeof pid === 'number');
    return this.cgroup.signalAll(name, exclude);
  }

  exitStatus(exit: ExitInfo): ExitStatus {
    return interpretExit(exit.code, exit.signal);
  }

  /** Ends a process that was never handed a run. */
  async discard(): Promise<void> {
    if (this.exitInfo === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** The launcher's command line, or the bash prologue's (which execs setpriv, which execs bwrap) when there is no launcher. */
function prologueCommand(slot: Slot, cgroup: RunCgroup, options: WarmSpawnOptions): [string, string[]] {
  const files = { argvFile: slot.workDir.argvFile, seccompFilter: options.seccompFilter };
  if (options.launcherPath !== null) {
    const command = [options.bwrapPath, '--args', String(GO_FD)];
    return [options.launcherPath, launcherArgs({ hostUid: slot.uid, procsFiles: cgroup.procsFiles, files, command })];
  }
  const prefix = commandPrefix({ setprivPath: options.setprivPath, bwrapPath: options.bwrapPath, hostUid: slot.uid, optionsFd: GO_FD });
  // --norc: bash sources ~/.bashrc on its own when stdin is a socket (as Node's stdio pipes are), even with -c.
  return [options.bashPath, ['--norc', '--noprofile', '-c', PROLOGUE_SCRIPT, 'runlane-prologue', ...prologueArgs(cgroup.procsFiles, files, prefix)]];
}
