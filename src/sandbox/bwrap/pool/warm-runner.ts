// What waits in a run's fresh cgroups for one command: a cold prologue (launcher → bwrap) or a resident sandbox's parked child.
import type { Readable, Writable } from 'node:stream';
import type { SandboxCommand } from '../../sandbox.js';
import type { RunCgroup } from '../../cgroup/cgroup-driver.js';
import type { ExitStatus } from '../run/exit-status.js';
import type { HostLayout } from '../host-layout.js';
import type { Slot } from './slot.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

/** What a runner needs to start the program it waits for. */
export interface GoInput {
  command: SandboxCommand;
  /** Without cgroups, memory, total CPU and process count fall back to rlimits. */
  fallbackRlimits: boolean;
  layout: HostLayout;
}

/**
 * One command's runner, bound to a slot (uid + work dir) and a fresh cgroup, prepared before the command arrives.
 * The run code (run/sandbox-run.ts, run/teardown.ts) and the pool see only this; each implementation keeps its own way
 * of starting the program.
 */
export interface WarmRunner {
  readonly slot: Slot;
  readonly cgroup: RunCgroup;
  /** Processes the runner adds to the run's cgroup besides the program's own (counted into the pids limit). */
  readonly extraProcesses: number;
  /**
   * True when the program's CPU clock starts once the program reported started (what the runner spent before, e.g. bwrap
   * building namespaces, is not the program's); false when it runs from the hand-over (`applyLimits`), because nothing
   * of the sandbox's runs in the group in between and the start report may be read late under load.
   */
  readonly cpuClockAtStart: boolean;
  /** Resolves true once the runner waits in its cgroups, false if it died first. */
  readonly ready: Promise<boolean>;
  /** True once `ready` resolved true. */
  readonly isReady: boolean;
  /** Null while the runner lives (waiting, or running its command). */
  readonly exit: ExitInfo | null;
  /** Settles when the command ended (every process of it gone) or the runner died before. */
  readonly exited: Promise<ExitInfo>;
  /** The program's stdin, stdout and stderr; valid once `go()` was called. */
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Called once when the program has started (the sandbox reported it running). */
  onStarted: () => void;
  /** Writes what the hand-over needs before `go()` (the cold path's argv file); throws when it does not fit. */
  prepare(command: SandboxCommand): Promise<void>;
  /** Hands the command over. */
  go(input: GoInput): void;
  /** Once the program started: gives back what only the start needed (the argv file's space). */
  afterStart(): Promise<void>;
  /** Kills every process of the command at once; `exited` settles after. */
  kill(): void;
  /** Sends a signal to the program's processes (not to the sandbox's own). */
  signal(name: NodeJS.Signals): Promise<void>;
  /** How the program ended, as callers are told. */
  exitStatus(exit: ExitInfo): ExitStatus;
  /**
   * After `exited`: why the slot may not be reused, when the runner checked its own reset and found something left
   * (processes, sockets); null when nothing was found or the runner checks nothing itself.
   */
  readonly resetProblem: string | null;
  /** Ends a runner that was never handed a command. */
  discard(): Promise<void>;
}
