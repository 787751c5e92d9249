// A prologue started ahead of time: already inside its run's cgroups, waiting on its go descriptor for a program to run.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { RunCgroup } from '../../cgroup/cgroup-driver.js';
import { commandPrefix } from '../bwrap-argv.js';
import { launcherArgs } from '../launcher.js';
import { GO_FD, PROLOGUE_SCRIPT, STATUS_FD, prologueArgs } from '../prologue.js';
import { StatusReader } from '../status-reader.js';
import type { Slot } from './slot.js';

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

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

/** One waiting prologue bound to a slot (uid + work dir) and a fresh cgroup. */
export class WarmProcess {
  readonly child: ChildProcess;
  readonly status: StatusReader;
  /** Settles when the process has exited (before or after it was handed a run). */
  readonly exited: Promise<ExitInfo>;
  /** Resolves true once the prologue sits in its cgroups waiting for a run, false if it died first. */
  readonly ready: Promise<boolean>;
  /** Listeners for status changes after hand-over (program started). */
  onStatus: () => void = () => undefined;
  private exitInfo: ExitInfo | null = null;

  constructor(
    readonly slot: Slot,
    readonly cgroup: RunCgroup,
    options: WarmSpawnOptions,
  ) {
    let markReady: (ready: boolean) => void = () => undefined;
    this.ready = new Promise((resolve) => (markReady = resolve));
    this.status = new StatusReader(() => {
      if (this.status.ready) markReady(true);
      this.onStatus();
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
    this.exited = new Promise<ExitInfo>((resolve) => {
      this.child.once('error', (error) => resolve({ code: null, signal: null, error }));
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    }).then((info) => {
      this.exitInfo = info;
      markReady(false);
      return info;
    });
  }

  /** Null while the process lives. */
  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  /** Hands the run to the prologue (rlimits and bwrap options; the argv file is written first), then EOF so bwrap's `--args` read ends. */
  go(message: Buffer): void {
    (this.child.stdio[GO_FD] as Writable).end(message);
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
