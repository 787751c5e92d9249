// Detects at start-up which cgroup flavour this host offers (v2, v1 or none) and prepares the parent groups.
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { CgroupDriver } from './cgroup-driver.js';
import { CgroupV1Driver, type CgroupV1Parents } from './cgroup-v1.js';
import { CgroupV2Driver, offersRequiredControllers } from './cgroup-v2.js';
import { NoCgroupDriver } from './no-cgroup.js';

/** Name of the parent group created under each hierarchy when no `cgroupRoot` is configured. */
export const DEFAULT_PARENT_NAME = 'runlane';

export interface DetectCgroupsOptions {
  /** Configured parent: an absolute path inside the v2 mount, or a path relative to each v1 controller's mount; null = `runlane`. */
  cgroupRoot: string | null;
  /** Forces one flavour (tests and benchmarks); undefined detects. */
  force?: 'v1' | 'v2' | 'none';
  /** Contents of /proc/self/mountinfo; read from the host when omitted. */
  mountinfo?: string;
  /** Only checks that the flavour is offered; creates no parent group. */
  probeOnly?: boolean;
}

export interface DetectedCgroups {
  driver: CgroupDriver;
  /** Why a better flavour was not used; logged loudly at start-up. */
  warnings: string[];
}

/** One cgroup mount from /proc/self/mountinfo. */
export interface CgroupMount {
  path: string;
  type: 'cgroup' | 'cgroup2';
  /** v1 controllers of the hierarchy (super options), e.g. `['cpu', 'cpuacct']`. */
  controllers: string[];
}

/** Lists cgroup mounts; mountinfo fields are `… mountpoint … - fstype source superoptions`. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const mountPoint = before.split(' ')[4];
    const [fsType, , superOptions = ''] = after.split(' ');
    if (!mountPoint || (fsType !== 'cgroup' && fsType !== 'cgroup2')) continue;
    const path = mountPoint.replace(/\\040/g, ' ');
    mounts.push({ path, type: fsType, controllers: fsType === 'cgroup' ? superOptions.split(',') : [] });
  }
  return mounts;
}

/** Picks the best usable flavour: v2 with memory+pids, else v1 with memory, pids and cpuacct, else none. */
export async function detectCgroups(options: DetectCgroupsOptions): Promise<DetectedCgroups> {
  const warnings: string[] = [];
  if (options.force === 'none') return { driver: new NoCgroupDriver(), warnings: ['cgroups disabled by configuration: memory, total CPU time and peak memory fall back to rlimits'] };
  const mountinfo = options.mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8'));
  const mounts = parseCgroupMounts(mountinfo);

  if (options.force !== 'v1') {
    const v2 = await tryV2(mounts, options.cgroupRoot, options.probeOnly ?? false);
    if ('driver' in v2) return { driver: v2.driver, warnings };
    warnings.push(v2.reason);
    if (options.force === 'v2') throw new Error(v2.reason);
  }
  const v1 = await tryV1(mounts, options.cgroupRoot, options.probeOnly ?? false);
  if ('driver' in v1) return { driver: v1.driver, warnings: options.force === 'v1' ? [] : warnings };
  warnings.push(v1.reason);
  if (options.force === 'v1') throw new Error(v1.reason);
  warnings.push('NO USABLE CGROUPS: runs are limited by rlimits only (RLIMIT_AS, RLIMIT_CPU per process, RLIMIT_NPROC per uid); a forking program can use more CPU than its limit and peak memory is not measured');
  return { driver: new NoCgroupDriver(), warnings };
}

type Attempt = { driver: CgroupDriver } | { reason: string };

async function tryV2(mounts: CgroupMount[], cgroupRoot: string | null, probeOnly: boolean): Promise<Attempt> {
  const candidates = mounts.filter((mount) => mount.type === 'cgroup2');
  if (candidates.length === 0) return { reason: 'cgroup v2: no cgroup2 hierarchy is mounted' };
  for (const mount of candidates) {
    // An absolute root must lie inside the mount; a relative one names a group under it, as under each v1 controller.
    if (cgroupRoot !== null && isAbsolute(cgroupRoot) && !isInside(mount.path, cgroupRoot)) continue;
    if (!(await offersRequiredControllers(mount.path))) continue;
    const parent = cgroupRoot === null ? join(mount.path, DEFAULT_PARENT_NAME) : isAbsolute(cgroupRoot) ? cgroupRoot : join(mount.path, cgroupRoot);
    const driver = new CgroupV2Driver(parent);
    try {
      if (!probeOnly) await driver.prepare();
      return { driver };
    } catch (error) {
      return { reason: `cgroup v2 at ${mount.path} could not be prepared: ${(error as Error).message}` };
    }
  }
  return { reason: `cgroup v2: no cgroup2 hierarchy offers the memory and pids controllers (mounted: ${candidates.map((m) => m.path).join(', ')})` };
}

async function tryV1(mounts: CgroupMount[], cgroupRoot: string | null, probeOnly: boolean): Promise<Attempt> {
  const find = (controller: string) => mounts.find((mount) => mount.type === 'cgroup' && mount.controllers.includes(controller));
  const found = { memory: find('memory'), pids: find('pids'), cpuacct: find('cpuacct') };
  const missing = Object.entries(found).filter(([, mount]) => !mount).map(([name]) => name);
  if (missing.length > 0) return { reason: `cgroup v1: controller(s) not mounted: ${missing.join(', ')}` };
  const parents = Object.fromEntries(
    Object.entries(found).map(([name, mount]) => [name, join(mount!.path, v1RelativeParent(mount!.path, cgroupRoot))]),
  ) as unknown as CgroupV1Parents;
  const driver = new CgroupV1Driver(parents);
  try {
    if (!probeOnly) await driver.prepare();
    return { driver };
  } catch (error) {
    return { reason: `cgroup v1 parent groups could not be created: ${(error as Error).message}` };
  }
}

/** The parent's path relative to a v1 controller mount: an absolute path inside that mount keeps its remainder. */
function v1RelativeParent(mountPath: string, cgroupRoot: string | null): string {
  if (cgroupRoot === null) return DEFAULT_PARENT_NAME;
  if (isAbsolute(cgroupRoot) && isInside(mountPath, cgroupRoot)) return relative(mountPath, cgroupRoot) || DEFAULT_PARENT_NAME;
  // An absolute path meant for a v2 hierarchy keeps only its last component under each v1 controller.
  return (isAbsolute(cgroupRoot) ? basename(cgroupRoot) : cgroupRoot) || DEFAULT_PARENT_NAME;
}

function isInside(parent: string, path: string): boolean {
  const rel = relative(parent, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
