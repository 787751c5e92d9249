// The Sandbox interface: workspaces that hold files and run commands in turn, isolated, with hard limits and honest figures.
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

/** One command run in a workspace: what to start, with which limits and input. */
export interface SandboxCommand {
  /** argv inside the sandbox; argv[0] is resolved on the sandbox's PATH. */
  argv: string[];
  /** Variables added to the sandbox's minimal environment (PATH, HOME, LANG, TMPDIR …). Never the server's env. */
  env?: Record<string, string>;
  /** Limits of this command; `workDirMb` also resizes the workspace for it (refused when its files do not fit). */
  limits: ResourceLimits;
  /** Whole stdin for batch runs; ignored when the caller writes to `SandboxProcess.stdin` itself. */
  stdin?: Buffer | string;
  /** After exit, read back every regular file of the work dir (symlinks and special files are skipped, never followed). */
  collectFiles?: boolean;
  /** Aborting kills the whole run; the result then has `aborted: true`. */
  signal?: AbortSignal;
  /** Identifies the run in logs. */
  label?: string;
}

/** A one-shot run: a command plus the files its fresh workspace starts with (see `Sandbox.run`). */
export interface SandboxRunSpec extends SandboxCommand {
  /** Files written into the work dir before start. */
  files?: SandboxFile[];
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
  /**
   * Which implementation runs programs: `resident` (one sandbox per slot whose namespaces are built once; its PID 1 forks
   * each command) or `bwrap` (one bubblewrap process tree per command). What is enforced is in `enforces`, not implied by
   * the name.
   */
  implementation: string;
  /** Version of the implementation's isolation tool (bubblewrap's version for both). */
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

/** How a workspace is created. */
export interface WorkspaceOptions {
  /** Size of the work dir (the program's /box, /tmp and /dev/shm together) files are written into, MiB. */
  workDirMb: number;
  /**
   * Commands the caller expects to run in it; an implementation may prepare the next one while the current one runs.
   * @defaultValue 1
   */
  commands?: number;
  /** Identifies the workspace in logs. */
  label?: string;
}

/** What `Workspace.exportFiles` copies out, and how much at most. */
export interface ExportOptions {
  /** Files left out when the work dir still holds them unchanged (the inputs of a compile, so only what it produced is kept). */
  unchanged?: readonly SandboxFile[];
  /** Total bytes copied; more rejects the export (all or nothing). */
  maxBytes: number;
  /** Most files copied; more rejects the export. */
  maxFiles: number;
}

/**
 * A private work dir that holds files and runs commands in it one after another (compile, then each test case), so
 * what one command leaves in /box is there for the next; /tmp and /dev/shm are emptied after every command.
 * Every command is a fresh, fully isolated process tree with its own limits and figures; no process outlives its command.
 *
 * The caller must call `destroy()` on every path (try/finally): it kills what is left and returns the workspace's slot
 * only after it was emptied and verified empty (or retires it, which /health reports as degraded).
 */
export interface Workspace {
  /**
   * Writes files into the work dir (paths relative to /box). Only before the first command: a command may have left
   * links or folders in /box that a write from outside must never follow. Rejects with `RUNLANE_ERR_SANDBOX_WORK_DIR_FULL`
   * when they do not fit, `RUNLANE_ERR_SANDBOX_BAD_SPEC` for an unsafe or repeated path.
   */
  writeFiles(files: readonly SandboxFile[]): Promise<void>;
  /**
   * Copies the files listed (paths relative to `sourceDir`) from a host directory the server owns into /box, without
   * passing them through memory: how a cached compile artifact enters a fresh workspace. Only before the first command.
   */
  importFiles(sourceDir: string, paths: readonly string[]): Promise<void>;
  /**
   * Copies the regular files of /box into `targetDir` (created, must not exist), never following a link the commands
   * planted; returns the relative paths copied. How a compile's artifacts reach the compile cache. Rejects when the
   * files exceed the bounds (the caller removes `targetDir`).
   */
  exportFiles(targetDir: string, options: ExportOptions): Promise<string[]>;
  /**
   * Removes from /box everything but regular files and the folders holding them (links, FIFOs, sockets, empty folders)
   * that the previous command left, so the next one sees what `exportFiles` would keep. Between commands only.
   */
  keepRegularFiles(): Promise<void>;
  /** Bytes the work dir's files take now (whole pages, as the size cap counts them). */
  usedBytes(): Promise<number>;
  /** Runs one command to completion; a program's failure is a result, not an error. Rejects only on a sandbox fault (AppError). */
  run(command: SandboxCommand): Promise<SandboxRunResult>;
  /** Starts one command and hands back its live streams; the next command may start once its `result` settled. */
  start(command: SandboxCommand): Promise<SandboxProcess>;
  /** Kills what is still running, then resets the work dir and verifies it empty before it is reused (or retires it). Never throws. */
  destroy(): Promise<void>;
}

/**
 * Runs untrusted programs isolated from the host and from each other. Implementations (`bwrap` today) are built by their
 * own factory; everything else depends on this interface only.
 */
export interface Sandbox {
  readonly capabilities: SandboxCapabilities;
  /** Current slot figures. */
  health(): SandboxHealth;
  /** A fresh, empty workspace; rejects with `RUNLANE_ERR_SANDBOX_BUSY` when every slot is in use. */
  createWorkspace(options: WorkspaceOptions): Promise<Workspace>;
  /** One command in a workspace of its own (created, filled with `spec.files`, destroyed): a helper for single runs. */
  run(spec: SandboxRunSpec): Promise<SandboxRunResult>;
  /** Like `run`, with live streams; the workspace is destroyed before `result` settles. */
  start(spec: SandboxRunSpec): Promise<SandboxProcess>;
  /**
   * Runs version commands the way programs run (same PATH, same file system view, no network), so a toolchain counts as
   * installed only when a program in the sandbox can use it. Never throws for a failed command: its outcome says why.
   */
  detectToolchains(commands: readonly ToolchainProbe[]): Promise<ToolchainReport[]>;
  /** Kills every run still alive and releases host resources. */
  close(): Promise<void>;
}

/** One toolchain to look for: every tool must be on the sandbox's PATH, then the version command must succeed. */
export interface ToolchainProbe {
  /** Programs (bare names) that must exist on the sandbox's PATH. */
  tools: readonly string[];
  /** Prints the version; run only when every tool was found. */
  versionCommand: readonly string[];
  /** @defaultValue 10000 */
  timeoutMs?: number;
}

/** What a probe found. */
export interface ToolchainReport {
  /** Tools not found on the sandbox's PATH (the version command was then not run). */
  missing: string[];
  /** stdout and stderr of the version command together (some tools print their version on stderr). */
  output: string;
  /** Why the version command failed, or null when it exited 0 (and when it was not run because tools are missing). */
  error: string | null;
}
