// The contract every cgroup flavour (v2, v1, none) implements for one run: limits in, figures out, kill, remove.

/** Limits a run's cgroup enforces; everything else is rlimits and timers. */
export interface CgroupLimits {
  memoryBytes: number;
  processes: number;
}

/** Figures read from a run's cgroup after (or while) it runs. */
export interface CgroupFigures {
  /** CPU time of every process that ran in the group since the program started, ms. */
  cpuTimeMs: number;
  /** Peak memory of the group, KiB (0 when unknown). */
  memoryPeakKb: number;
  /** The kernel's OOM killer fired inside the group. */
  oomKilled: boolean;
  /** A fork or clone failed because of the process limit. */
  processLimitHit: boolean;
}

/** One run's cgroup (or, without cgroups, the closest substitute). */
export interface RunCgroup {
  /**
   * Files the prologue writes its own pid into before it execs anything else (`cgroup.procs` of each hierarchy).
   * Empty when the driver cannot place processes (no cgroups).
   */
  readonly procsFiles: readonly string[];
  /**
   * The group's name under the driver's `cloneParentDir`, for creating a process straight into it (cgroup v2's
   * CLONE_INTO_CGROUP); null where that does not exist (v1, no cgroups).
   */
  readonly cloneName: string | null;
  /**
   * Sets the run's limits once its (pre-started) process is about to run the program, and restarts the counters that
   * can be restarted so figures cover the program only.
   */
  applyLimits(limits: CgroupLimits): Promise<void>;
  /**
   * Starts the program's CPU clock: records the group's CPU time when the program starts, so that `cpuTimeMs()` and
   * `figures()` count from there and the set-up (prologue, setpriv, bwrap) is never charged to the program.
   */
  startCpuClock(): Promise<void>;
  /** CPU time of the whole group since `startCpuClock()` (since `applyLimits()` before it), ms; polled to enforce the CPU limit on the total. */
  cpuTimeMs(): Promise<number>;
  /** Final figures; call after the run has stopped and before `remove()`. */
  figures(): Promise<CgroupFigures>;
  /** Pids of every process in the group, as seen from the host. */
  pids(): Promise<number[]>;
  /** Sends `signal` to every process in the group except `exclude`. */
  signalAll(signal: NodeJS.Signals, exclude?: readonly number[]): Promise<void>;
  /** Kills every process of the group and waits until it is empty (or throws after a bounded number of attempts). */
  killAll(): Promise<void>;
  /** Removes the group (retrying while the kernel still reports it busy). */
  remove(): Promise<void>;
}

/** A cgroup flavour, detected once at start-up. */
export interface CgroupDriver {
  readonly version: 'v1' | 'v2' | 'none';
  /** The directory every run group is created in, when processes can be created straight into a group (v2); else null. */
  readonly cloneParentDir: string | null;
  /** Creates a fresh, empty group for one run; `uid` is the run's host uid (the no-cgroup driver tracks processes by it). */
  create(runId: string, uid: number): Promise<RunCgroup>;
  /** Extra rlimits the prologue must set because the driver cannot enforce something itself. */
  readonly fallbackRlimits: boolean;
  /** Removes run groups whose name `isStale` claims (a crashed server's), killing anything left in them; returns how many. */
  sweep(isStale: (name: string) => Promise<boolean>): Promise<number>;
  /** Removes the parent group(s) when no other server still has groups in them. */
  dispose(): Promise<void>;
}
