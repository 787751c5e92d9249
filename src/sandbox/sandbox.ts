// The Sandbox interface: run one process tree isolated, with hard limits, and report honest figures.
import type { Readable, Writable } from 'node:stream';
import type { ResourceLimits } from '../domain/limits.js';

/** PATH every sandboxed program runs with; toolchain detection looks tools up on this same PATH. */
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

/** A file placed in (or collected from) the run's private work dir. */
export interface SandboxFile {
  /** Relative path inside the work dir; never absolute, never containing `..`. */
  path: string;
  content: Buffer;
  /** Permission bits; defaults to 0o644 (0o755 for collected executables keeps their mode). */
  mode?: number;
}

/** Which limit ended the run early, if any. */
export type LimitHit = 'cpu' | 'wall' | 'memory' | 'output' | 'file-size' | 'processes' | null;

export interface SandboxRunSpec {
  /** argv inside the sandbox; argv[0] is resolved on the sandbox's PATH. */
  argv: string[];
  /** Variables added to the sandbox's minimal environment (PATH, HOME, LANG, TMPDIR …). Never the server's env. */
  env?: Record<string, string>;
  limits: ResourceLimits;
  /** Files written into the work dir before start. */
  files?: SandboxFile[];
  /** Whole stdin for batch runs; ignored when the caller writes to `SandboxProcess.stdin` itself. */
  stdin?: Buffer | string;
  /** After exit, read back every regular file of the work dir (symlinks and special files are skipped, never followed). */
  collectFiles?: boolean;
  /** Aborting kills the whole run; the result then has `aborted: true`. */
  signal?: AbortSignal;
  /** Identifies the run in logs. */
  label?: string;
}

export interface SandboxRunResult {
  /** Up to `limits.outputBytes` of stdout + stderr are kept; the rest is dropped and `limitHit` is `output`. */
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  /** Signal name when the program was killed by one (`SIGKILL`, `SIGSEGV`, …). */
  signal: string | null;
  cpuTimeMs: number;
  wallTimeMs: number;
  /** Peak memory of the whole run (cgroup), KiB; 0 when only rlimits were available. */
  memoryKb: number;
  limitHit: LimitHit;
  /** True when the run was stopped by the caller (abort signal or `kill()`). */
  aborted: boolean;
  /** Work dir contents, when `collectFiles` was set. */
  files: SandboxFile[];
}

/** A started run with live streams: used by interactive runs; batch runs use `Sandbox.run`. */
export interface SandboxProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Sends a signal to the program's whole process tree. */
  signal(name: NodeJS.Signals): void;
  /** Kills every process of the run; the result reports `aborted: true`. */
  kill(): void;
  /** Settles after teardown: every process gone, cgroup and work dir removed. */
  readonly result: Promise<SandboxRunResult>;
}

/**
 * What a sandbox enforces on every run as a whole (all its processes together), so operators and clients can see how
 * strong the isolation is without knowing which implementation provides it.
 */
export interface SandboxEnforcement {
  /** Memory of the whole run is capped (cgroup); false when only a per-process address-space rlimit stands in. */
  memory: boolean;
  /** CPU time of every process of the run together is capped and measured exactly (cgroup accounting). */
  cpuTotal: boolean;
  /** The number of processes and threads of the run is capped. */
  pids: boolean;
  /** Runs have no network (an empty network namespace). */
  network: boolean;
  /** Runs see only a read-only system, their own work dir and private /tmp and /dev/shm. */
  filesystem: boolean;
  /** A seccomp filter refuses the system calls that attack the kernel or open channels between runs. */
  seccomp: boolean;
  /** Peak memory of the whole run is measured (`memoryKb` is 0 otherwise). */
  memoryPeak: boolean;
}

/** What this host's sandbox is and enforces; reported at start-up and by /health. */
export interface SandboxCapabilities {
  /** Which implementation runs programs (`bwrap`: one bubblewrap process tree per command). */
  implementation: string;
  /** Version of the implementation's isolation tool (for `bwrap`, bubblewrap's version). */
  version: string;
  enforces: SandboxEnforcement;
  /** `v2`, `v1`, or `none` (rlimit fallback: memory, CPU-total and peak-memory figures are weaker). */
  cgroups: 'v1' | 'v2' | 'none';
  /** Human-readable warnings to log loudly at start-up. */
  warnings: string[];
}

/** How much of the sandbox is usable; /health reports it (`degraded` once a slot was retired). */
export interface SandboxHealth {
  /** Runs the sandbox can hold at once: its uid range minus the slots retired since start-up. */
  slots: number;
  /**
   * Slots taken out of use since start-up because their work dir could not be reset and verified empty, or their
   * processes could not be killed; their uids stay unused until the server restarts.
   */
  retired: number;
}

export interface Sandbox {
  readonly capabilities: SandboxCapabilities;
  /** Current slot figures. */
  health(): SandboxHealth;
  /** Runs to completion; resolves with figures even when the program fails (that is a verdict, not an error). Rejects only on a sandbox fault (AppError). */
  run(spec: SandboxRunSpec): Promise<SandboxRunResult>;
  /** Starts a run and hands back its live streams. */
  start(spec: SandboxRunSpec): Promise<SandboxProcess>;
  /** Kills every run still alive and releases host resources. */
  close(): Promise<void>;
}
