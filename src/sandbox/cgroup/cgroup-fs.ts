// Small helpers over cgroupfs control files shared by the v1 and v2 drivers.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Reads a control file holding one integer (`max` reads as Infinity, a missing file as null). */
export async function readNumber(path: string): Promise<number | null> {
  const text = await readOptional(path);
  if (text === null) return null;
  const trimmed = text.trim();
  if (trimmed === 'max') return Number.POSITIVE_INFINITY;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** Reads a flat-keyed control file (`key value` per line, e.g. `memory.events`, `cpu.stat`). */
export async function readKeyed(path: string): Promise<Map<string, number>> {
  const text = await readOptional(path);
  const values = new Map<string, number>();
  if (text === null) return values;
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}

/**
 * Reads a control file, or null when it does not exist (controllers differ between kernels). Read at once, not through
 * the thread pool: a cgroupfs read is a few microseconds of kernel work and takes no lock a slow operation holds, where a
 * pooled read (open, stat, read, close) costs the event loop more than the read itself, several times per run.
 */
export async function readOptional(path: string): Promise<string | null> {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
}

/**
 * Writes a control file that may wait on the kernel's cgroup mutex (`cgroup.subtree_control`, `cgroup.kill`), which an
 * attach elsewhere can hold for an RCU grace period: through the thread pool, never on the event loop.
 */
export async function writeControl(path: string, value: string | number): Promise<void> {
  await writeFile(path, String(value));
}

/**
 * Writes a limit or counter (`memory.max`, `pids.max`, `cpuacct.usage`…) at once: microseconds of kernel work that takes
 * no cgroup-wide lock, set on a group holding only the parked runner (no reclaim to wait for). One value per write.
 */
export async function writeValue(path: string, value: string | number): Promise<void> {
  writeFileSync(path, String(value));
}

/** Pids listed in a `cgroup.procs` file (an already removed group lists none). */
export async function readPids(procsFile: string): Promise<number[]> {
  const text = await readOptional(procsFile);
  if (text === null) return [];
  return text
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** Sends a signal to each pid, ignoring processes that are already gone. */
export function signalPids(pids: readonly number[], signal: NodeJS.Signals, exclude: readonly number[] = []): void {
  for (const pid of pids) {
    if (exclude.includes(pid)) continue;
    try {
      process.kill(pid, signal);
    } catch (error) {
      if (!isCode(error, 'ESRCH')) throw error;
    }
  }
}

/**
 * SIGKILLs whatever `listPids` returns until it returns nothing.
 * Without an atomic group kill, a forking program can add pids between the read and the kill, so this loops; pids.max bounds it.
 */
export async function killUntilEmpty(listPids: () => Promise<number[]>, attempts = 200): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const pids = await listPids();
    if (pids.length === 0) return;
    signalPids(pids, 'SIGKILL');
    // A killed process leaves the group only once it has been reaped; give the kernel a moment.
    await sleep(attempt < 10 ? 2 : 10);
  }
  const left = await listPids();
  if (left.length > 0) throw new Error(`processes still alive after ${attempts} kill rounds: ${left.join(', ')}`);
}

/** Removes a cgroup directory, retrying while the kernel still reports it busy (exiting tasks, css teardown). */
export async function removeCgroupDir(path: string, attempts = 100): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(path);
      return;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return;
      if (!isCode(error, 'EBUSY') || attempt >= attempts) throw error;
      await sleep(attempt < 10 ? 2 : 20);
    }
  }
}

/**
 * Creates a run group; when the parent is gone (another server sharing it removed it while it was empty, on close), prepares
 * the parent again and retries once.
 */
export async function mkdirInParent(dir: string, prepareParent: () => Promise<void>): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
    await prepareParent();
    await mkdir(dir);
  }
}

/** True when `error` is a Node system error with this code. */
export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
