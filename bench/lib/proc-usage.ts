// Reads what processes cost from /proc: the tree under a pid, CPU time, RSS and PSS, and the usage of tmpfs mounts.
import { readdir, readFile, statfs } from 'node:fs/promises';

/** The parent pid of one process from /proc/<pid>/stat; null when it is gone. */
export async function readParent(pid: number): Promise<number | null> {
  const line = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (line === null) return null;
  // The command name is in parentheses and may hold spaces or parentheses itself: count fields after the last one.
  return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Every process below `root` (children, grandchildren …), not `root` itself. */
export async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = await readParent(Number(entry));
    if (parent !== null) parents.set(Number(entry), parent);
  }
  const below = new Set<number>([root]);
  // Parents usually have lower pids, but not after wrap-around: repeat until nothing new joins.
  for (let grown = true; grown; ) {
    grown = false;
    for (const [pid, ppid] of parents) {
      if (!below.has(pid) && below.has(ppid)) {
        below.add(pid);
        grown = true;
      }
    }
  }
  below.delete(root);
  return [...below];
}

/** The direct children of `root`. */
export async function children(root: number): Promise<number[]> {
  const text = await readFile(`/proc/${root}/task/${root}/children`, 'utf8').catch(() => '');
  return text.split(' ').filter(Boolean).map(Number);
}

/** Resident and proportional set size of one process, KiB (PSS shares each shared page among its users). */
export async function readMemory(pid: number): Promise<{ rssKb: number; pssKb: number } | null> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => null);
  if (text === null) return null;
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: field('Rss'), pssKb: field('Pss') };
}

/**
 * CPU time of each process, ms, summed over its threads from /proc/<pid>/task/<tid>/schedstat (nanoseconds on a CPU):
 * utime + stime of /proc/<pid>/stat count in clock ticks (10 ms), too coarse for an idle second. Gone processes are left out.
 */
export async function cpuMs(pids: readonly number[]): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  for (const pid of pids) {
    const tasks = await readdir(`/proc/${pid}/task`).catch(() => null);
    if (tasks === null) continue;
    let ns = 0;
    for (const task of tasks) ns += Number((await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8').catch(() => '0')).split(' ')[0]);
    result.set(pid, ns / 1e6);
  }
  return result;
}

/** Used bytes of every tmpfs mounted below `dir` (host mount namespace). */
export async function tmpfsUsage(dir: string): Promise<number[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const used: number[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after || !after.startsWith('tmpfs ')) continue;
    const mountPoint = before.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    if (!mountPoint.startsWith(prefix)) continue;
    const stats = await statfs(mountPoint).catch(() => null);
    if (stats) used.push((stats.blocks - stats.bfree) * stats.bsize);
  }
  return used;
}
