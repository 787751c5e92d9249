// cgroup v2 driver: one leaf group per run under a delegated parent with the memory and pids controllers enabled.
import { access, mkdir, readdir, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CgroupDriver, CgroupFigures, CgroupLimits, RunCgroup } from './cgroup-driver.js';
import { killUntilEmpty, mkdirInParent, readKeyed, readNumber, readOptional, readPids, removeCgroupDir, signalPids, writeControl, writeValue } from './cgroup-fs.js';

/** Controllers a run group needs; `cpu` is optional because `cpu.stat` usage is reported without it. */
const REQUIRED_CONTROLLERS = ['memory', 'pids'] as const;

/** Drives cgroup v2 under `parent` (e.g. `/sys/fs/cgroup/runlane`). */
export class CgroupV2Driver implements CgroupDriver {
  readonly version = 'v2' as const;
  readonly fallbackRlimits = false;

  constructor(private readonly parent: string) {}

  get cloneParentDir(): string {
    return this.parent;
  }

  /**
   * Creates the parent and enables the controllers for its children.
   * The parent holds no process itself: v2 only lets controllers be delegated from groups without member processes.
   */
  async prepare(): Promise<void> {
    await mkdir(this.parent, { recursive: true });
    await enableControllers(dirname(this.parent));
    await enableControllers(this.parent);
  }

  async sweep(isStale: (name: string) => Promise<boolean>): Promise<number> {
    let removed = 0;
    for (const entry of await readdir(this.parent, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || !(await isStale(entry.name))) continue;
      await new CgroupV2Run(join(this.parent, entry.name)).remove();
      removed++;
    }
    return removed;
  }

  async dispose(): Promise<void> {
    // Fails while another server (sharing the parent) still has groups in it, which is what we want.
    await rmdir(this.parent).catch(() => undefined);
  }

  async create(runId: string): Promise<RunCgroup> {
    const dir = join(this.parent, runId);
    await mkdirInParent(dir, () => this.prepare());
    try {
      if ((await readOptional(join(dir, 'memory.swap.max'))) !== null) await writeValue(join(dir, 'memory.swap.max'), 0);
      // An OOM kill then takes the whole run down at once instead of leaving a half-dead process tree behind.
      if ((await readOptional(join(dir, 'memory.oom.group'))) !== null) await writeValue(join(dir, 'memory.oom.group'), 1);
    } catch (error) {
      await removeCgroupDir(dir).catch(() => undefined);
      throw error;
    }
    return new CgroupV2Run(dir);
  }
}

/** Adds the required controllers (and `cpu` when offered) to a group's `cgroup.subtree_control`. */
async function enableControllers(dir: string): Promise<void> {
  const available = ((await readOptional(join(dir, 'cgroup.controllers'))) ?? '').trim().split(/\s+/);
  const enabled = ((await readOptional(join(dir, 'cgroup.subtree_control'))) ?? '').trim().split(/\s+/);
  const wanted = [...REQUIRED_CONTROLLERS, 'cpu'].filter((name) => available.includes(name) && !enabled.includes(name));
  if (wanted.length === 0) return;
  await writeControl(join(dir, 'cgroup.subtree_control'), wanted.map((name) => `+${name}`).join(' '));
}

/** True when `dir` offers every controller a run group needs. */
export async function offersRequiredControllers(dir: string): Promise<boolean> {
  const available = ((await readOptional(join(dir, 'cgroup.controllers'))) ?? '').trim().split(/\s+/);
  return REQUIRED_CONTROLLERS.every((name) => available.includes(name));
}

class CgroupV2Run implements RunCgroup {
  readonly procsFiles: readonly string[];
  readonly cloneName: string;
  /** Highest `memory.current` seen, for kernels without `memory.peak` (before 5.19). */
  private observedPeak = 0;
  /** CPU already used when the program started (prologue, setpriv, bwrap); v2 counters cannot be reset. */
  private cpuBaselineUsec = 0;
  /** Whether the kernel keeps `memory.peak` (5.19+), checked on the first poll so later polls skip `memory.current`. */
  private kernelKeepsPeak: Promise<boolean> | null = null;

  constructor(private readonly dir: string) {
    this.procsFiles = [join(dir, 'cgroup.procs')];
    this.cloneName = basename(dir);
  }

  async applyLimits(limits: CgroupLimits): Promise<void> {
    await writeValue(join(this.dir, 'memory.max'), limits.memoryBytes);
    await writeValue(join(this.dir, 'pids.max'), limits.processes);
    this.cpuBaselineUsec = (await readKeyed(join(this.dir, 'cpu.stat'))).get('usage_usec') ?? 0;
  }

  async startCpuClock(): Promise<void> {
    this.cpuBaselineUsec = (await readKeyed(join(this.dir, 'cpu.stat'))).get('usage_usec') ?? 0;
  }

  async cpuTimeMs(): Promise<number> {
    const stat = await readKeyed(join(this.dir, 'cpu.stat'));
    // Polled every few ms while the run lives: sampling memory.current is only needed where the kernel keeps no peak.
    this.kernelKeepsPeak ??= exists(join(this.dir, 'memory.peak'));
    if (!(await this.kernelKeepsPeak)) {
      const current = await readNumber(join(this.dir, 'memory.current'));
      if (current !== null && current > this.observedPeak) this.observedPeak = current;
    }
    return Math.max(0, (stat.get('usage_usec') ?? 0) - this.cpuBaselineUsec) / 1000;
  }

  async figures(): Promise<CgroupFigures> {
    const [peak, events, pidsEvents, cpuTimeMs] = await Promise.all([
      readNumber(join(this.dir, 'memory.peak')),
      readKeyed(join(this.dir, 'memory.events')),
      readKeyed(join(this.dir, 'pids.events')),
      this.cpuTimeMs(),
    ]);
    return {
      cpuTimeMs,
      memoryPeakKb: Math.round((peak ?? this.observedPeak) / 1024),
      oomKilled: (events.get('oom_kill') ?? 0) > 0 || (events.get('oom_group_kill') ?? 0) > 0,
      processLimitHit: (pidsEvents.get('max') ?? 0) > 0,
    };
  }

  async pids(): Promise<number[]> {
    return readPids(join(this.dir, 'cgroup.procs'));
  }

  async signalAll(signal: NodeJS.Signals, exclude: readonly number[] = []): Promise<void> {
    signalPids(await this.pids(), signal, exclude);
  }

  async killAll(): Promise<void> {
    const killFile = join(this.dir, 'cgroup.kill');
    if (await exists(killFile)) {
      // cgroup.kill (5.14+) kills the whole group atomically, so a forking program cannot race the kill.
      await writeControl(killFile, 1);
      for (let attempt = 0; attempt < 200 && (await this.pids()).length > 0; attempt++) await sleep(attempt < 10 ? 2 : 10);
    }
    await killUntilEmpty(() => this.pids());
  }

  async remove(): Promise<void> {
    await this.killAll();
    await removeCgroupDir(this.dir);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
