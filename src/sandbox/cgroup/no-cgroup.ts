// Fallback without cgroups: the run's unique host uid stands in for its group (processes found by uid in /proc).
import { readdir, readFile } from 'node:fs/promises';
import type { CgroupDriver, CgroupFigures, RunCgroup } from './cgroup-driver.js';
import { killUntilEmpty, signalPids } from './cgroup-fs.js';

/** Clock ticks per second used by /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

/**
 * Without cgroups the prologue sets RLIMIT_AS, RLIMIT_CPU and RLIMIT_NPROC instead; CPU time is summed from /proc
 * (live processes plus what the sandbox's init has reaped), and peak memory is unknown (0).
 */
export class NoCgroupDriver implements CgroupDriver {
  readonly version = 'none' as const;
  readonly fallbackRlimits = true;
  readonly cloneParentDir = null;

  constructor(private readonly procRoot = '/proc') {}

  async sweep(): Promise<number> {
    return 0;
  }

  async dispose(): Promise<void> {
    // Nothing was created.
  }

  async create(_runId: string, uid: number): Promise<RunCgroup> {
    return new UidRun(uid, this.procRoot);
  }
}

class UidRun implements RunCgroup {
  readonly procsFiles: readonly string[] = [];
  readonly cloneName = null;
  private highestCpuMs = 0;
  /** What the run's processes had used when the program started (bwrap is the prologue's process, exec'd twice). */
  private cpuBaselineMs = 0;

  constructor(
    private readonly uid: number,
    private readonly procRoot: string,
  ) {}

  async applyLimits(): Promise<void> {
    // Enforced by the prologue's rlimits instead.
  }

  async startCpuClock(): Promise<void> {
    this.cpuBaselineMs = await this.totalCpuMs();
  }

  async cpuTimeMs(): Promise<number> {
    return Math.max(0, (await this.totalCpuMs()) - this.cpuBaselineMs);
  }

  private async totalCpuMs(): Promise<number> {
    let ticks = 0;
    for (const pid of await this.pids()) {
      const stat = await readFile(`${this.procRoot}/${pid}/stat`, 'utf8').catch(() => null);
      if (stat === null) continue;
      // Fields after the parenthesised command: utime is field 14, stime 15, cutime 16, cstime 17 (1-based).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
    }
    // Processes that exit unreaped drop out of the sum; never report less than already seen.
    this.highestCpuMs = Math.max(this.highestCpuMs, (ticks * 1000) / CLOCK_TICKS);
    return this.highestCpuMs;
  }

  async figures(): Promise<CgroupFigures> {
    return { cpuTimeMs: await this.cpuTimeMs(), memoryPeakKb: 0, oomKilled: false, processLimitHit: false };
  }

  async pids(): Promise<number[]> {
    const entries = await readdir(this.procRoot);
    const pids: number[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      const status = await readFile(`${this.procRoot}/${entry}/status`, 'utf8').catch(() => null);
      const match = status?.match(/^Uid:\s+(\d+)/m);
      // Zombies hold nothing but a pid and cannot be killed; their new parent reaps them.
      if (match && Number(match[1]) === this.uid && !/^State:\s+Z/m.test(status!)) pids.push(Number(entry));
    }
    return pids;
  }

  async signalAll(signal: NodeJS.Signals, exclude: readonly number[] = []): Promise<void> {
    signalPids(await this.pids(), signal, exclude);
  }

  async killAll(): Promise<void> {
    await killUntilEmpty(() => this.pids(), 50);
  }

  /**
   * Nothing to remove. Never a kill by uid here: removal runs in the background after teardown's `killAll()` verified the
   * uid empty, and by then the workspace holding the uid may already run its next command under the same uid.
   */
  async remove(): Promise<void> {
    // Intentionally empty; see above.
  }
}
