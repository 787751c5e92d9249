// cgroup v1 driver: one group per run in each of the memory, pids and cpuacct hierarchies.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupDriver, CgroupFigures, CgroupLimits, RunCgroup } from './cgroup-driver.js';
import { killUntilEmpty, readKeyed, readNumber, readPids, removeCgroupDir, signalPids, writeControl } from './cgroup-fs.js';

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

  constructor(private readonly parents: CgroupV1Parents) {}

  /** Creates the parent groups if needed; call once at start-up. */
  async prepare(): Promise<void> {
    for (const dir of Object.values(this.parents)) await mkdir(dir, { recursive: true });
  }

  async create(runId: string, limits: CgroupLimits): Promise<RunCgroup> {
    const dirs = {
      memory: join(this.parents.memory, runId),
      pids: join(this.parents.pids, runId),
      cpuacct: join(this.parents.cpuacct, runId),
    };
    const created: string[] = [];
    try {
      for (const dir of Object.values(dirs)) {
        await mkdir(dir);
        created.push(dir);
      }
      await writeControl(join(dirs.memory, 'memory.limit_in_bytes'), limits.memoryBytes);
      // memsw exists when the kernel accounts swap; it must be set after the memory limit (memsw >= memory) so swap adds nothing.
      if ((await readNumber(join(dirs.memory, 'memory.memsw.limit_in_bytes'))) !== null) {
        await writeControl(join(dirs.memory, 'memory.memsw.limit_in_bytes'), limits.memoryBytes);
      }
      await writeControl(join(dirs.memory, 'memory.swappiness'), 0).catch(() => undefined);
      await writeControl(join(dirs.pids, 'pids.max'), limits.processes);
    } catch (error) {
      for (const dir of created.reverse()) await removeCgroupDir(dir).catch(() => undefined);
      throw error;
    }
    return new CgroupV1Run(dirs);
  }
}

class CgroupV1Run implements RunCgroup {
  readonly procsFiles: readonly string[];

  constructor(private readonly dirs: CgroupV1Parents) {
    this.procsFiles = [join(dirs.memory, 'cgroup.procs'), join(dirs.pids, 'cgroup.procs'), join(dirs.cpuacct, 'cgroup.procs')];
  }

  async cpuTimeMs(): Promise<number> {
    const nanoseconds = await readNumber(join(this.dirs.cpuacct, 'cpuacct.usage'));
    return nanoseconds === null ? 0 : nanoseconds / 1e6;
  }

  async figures(): Promise<CgroupFigures> {
    const peak = await readNumber(join(this.dirs.memory, 'memory.max_usage_in_bytes'));
    const oom = await readKeyed(join(this.dirs.memory, 'memory.oom_control'));
    const pidsEvents = await readKeyed(join(this.dirs.pids, 'pids.events'));
    let oomKilled = (oom.get('oom_kill') ?? 0) > 0;
    if (!oom.has('oom_kill')) {
      // Kernels before 4.13 have no oom_kill counter: hitting the limit (failcnt) is the best evidence left.
      oomKilled = ((await readNumber(join(this.dirs.memory, 'memory.failcnt'))) ?? 0) > 0;
    }
    return {
      cpuTimeMs: await this.cpuTimeMs(),
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
    await killUntilEmpty(() => this.pids());
  }

  async remove(): Promise<void> {
    await this.killAll();
    for (const dir of Object.values(this.dirs)) await removeCgroupDir(dir);
  }
}
