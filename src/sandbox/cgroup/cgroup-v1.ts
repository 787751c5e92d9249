// cgroup v1 driver: one group per run in each of the memory, pids and cpuacct hierarchies.
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupDriver, CgroupFigures, CgroupLimits, RunCgroup } from './cgroup-driver.js';
import { killUntilEmpty, mkdirInParent, readKeyed, readNumber, readPids, removeCgroupDir, signalPids, writeValue } from './cgroup-fs.js';

/** Where each v1 controller's parent group for runs lives, e.g. `/sys/fs/cgroup/memory/runlane`. */
export interface CgroupV1Parents {
  memory: string;
  pids: string;
  cpuacct: string;
}

/** Drives cgroup v1: memory (+memsw), pids and cpuacct hierarchies, each with its own parent directory. */
export class CgroupV1Driver implements CgroupDriver {
  readonly version = 'v1' as const;
  readonly fallbackRlimits = false;
  readonly cloneParentDir = null;

  /** Whether the kernel accounts swap (memsw files exist); checked once at start-up. */
  private memsw = true;

  constructor(private readonly parents: CgroupV1Parents) {}

  /** Creates the parent groups if needed; call once at start-up. */
  async prepare(): Promise<void> {
    for (const dir of Object.values(this.parents)) await mkdir(dir, { recursive: true });
    this.memsw = (await readNumber(join(this.parents.memory, 'memory.memsw.limit_in_bytes'))) !== null;
  }

  async sweep(isStale: (name: string) => Promise<boolean>): Promise<number> {
    const names = new Set<string>();
    for (const parent of Object.values(this.parents)) {
      for (const entry of await readdir(parent, { withFileTypes: true }).catch(() => [])) if (entry.isDirectory()) names.add(entry.name);
    }
    let removed = 0;
    for (const name of names) {
      if (!(await isStale(name))) continue;
      const dirs = { memory: join(this.parents.memory, name), pids: join(this.parents.pids, name), cpuacct: join(this.parents.cpuacct, name) };
      await new CgroupV1Run(dirs, this.memsw).remove();
      removed++;
    }
    return removed;
  }

  async dispose(): Promise<void> {
    // Fails while another server (sharing the parent) still has groups in it, which is what we want.
    for (const parent of Object.values(this.parents)) await rmdir(parent).catch(() => undefined);
  }

  async create(runId: string): Promise<RunCgroup> {
    const dirs = {
      memory: join(this.parents.memory, runId),
      pids: join(this.parents.pids, runId),
      cpuacct: join(this.parents.cpuacct, runId),
    };
    const created: string[] = [];
    try {
      for (const dir of Object.values(dirs)) {
        await mkdirInParent(dir, () => this.prepare());
        created.push(dir);
      }
      await writeValue(join(dirs.memory, 'memory.swappiness'), 0).catch(() => undefined);
    } catch (error) {
      for (const dir of created.reverse()) await removeCgroupDir(dir).catch(() => undefined);
      throw error;
    }
    return new CgroupV1Run(dirs, this.memsw);
  }
}

class CgroupV1Run implements RunCgroup {
  readonly procsFiles: readonly string[];
  readonly cloneName = null;
  /** cpuacct.usage when the program started, ns. */
  private cpuBaselineNs = 0;

  constructor(
    private readonly dirs: CgroupV1Parents,
    private readonly memsw: boolean,
  ) {
    this.procsFiles = [join(dirs.memory, 'cgroup.procs'), join(dirs.pids, 'cgroup.procs'), join(dirs.cpuacct, 'cgroup.procs')];
  }

  async applyLimits(limits: CgroupLimits): Promise<void> {
    const memory = async () => {
      await writeValue(join(this.dirs.memory, 'memory.limit_in_bytes'), limits.memoryBytes);
      // memsw exists when the kernel accounts swap; set after the memory limit (memsw >= memory) it makes swap add nothing.
      if (this.memsw) await writeValue(join(this.dirs.memory, 'memory.memsw.limit_in_bytes'), limits.memoryBytes);
      // The waiting prologue's own start-up is not the program's: restart the peak (and, below, the CPU counter).
      await writeValue(join(this.dirs.memory, 'memory.max_usage_in_bytes'), 0);
    };
    await Promise.all([
      memory(),
      writeValue(join(this.dirs.pids, 'pids.max'), limits.processes),
      writeValue(join(this.dirs.cpuacct, 'cpuacct.usage'), 0),
    ]);
    this.cpuBaselineNs = 0;
  }

  async startCpuClock(): Promise<void> {
    this.cpuBaselineNs = (await readNumber(join(this.dirs.cpuacct, 'cpuacct.usage'))) ?? 0;
  }

  async cpuTimeMs(): Promise<number> {
    const nanoseconds = await readNumber(join(this.dirs.cpuacct, 'cpuacct.usage'));
    return nanoseconds === null ? 0 : Math.max(0, nanoseconds - this.cpuBaselineNs) / 1e6;
  }

  async figures(): Promise<CgroupFigures> {
    const [peak, oom, pidsEvents, cpuTimeMs] = await Promise.all([
      readNumber(join(this.dirs.memory, 'memory.max_usage_in_bytes')),
      readKeyed(join(this.dirs.memory, 'memory.oom_control')),
      readKeyed(join(this.dirs.pids, 'pids.events')),
      this.cpuTimeMs(),
    ]);
    let oomKilled = (oom.get('oom_kill') ?? 0) > 0;
    if (!oom.has('oom_kill')) {
      // Kernels before 4.13 have no oom_kill counter: hitting the limit (failcnt) is the best evidence left.
      oomKilled = ((await readNumber(join(this.dirs.memory, 'memory.failcnt'))) ?? 0) > 0;
    }
    return {
      cpuTimeMs,
      memoryPeakKb: peak === null ? 0 : Math.round(peak / 1024),
      oomKilled,
      processLimitHit: (pidsEvents.get('max') ?? 0) > 0,
    };
  }

  async pids(): Promise<number[]> {
    // Every process passes through all three hierarchies; the union guards against one write having failed.
    const all = await Promise.all(this.procsFiles.map((file) => readPids(file)));
    return [...new Set(all.flat())];
  }

  async signalAll(signal: NodeJS.Signals, exclude: readonly number[] = []): Promise<void> {
    signalPids(await this.pids(), signal, exclude);
  }

  async killAll(): Promise<void> {
    // The prologue joins all three hierarchies before anything else runs, so every process of the run is in the pids one.
    if ((await readPids(this.procsFiles[1]!)).length === 0) return;
    await killUntilEmpty(() => this.pids());
  }

  async remove(): Promise<void> {
    await this.killAll();
    for (const dir of Object.values(this.dirs)) await removeCgroupDir(dir);
  }
}
