// Start-up cleanup of what a crashed server left behind: its slot mounts, its /etc copy and its run cgroups.
import { execFile } from 'node:child_process';
import { readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WorkDirTools } from './work-dir.js';

const run = promisify(execFile);

/**
 * Names this server's run dirs, /etc copy and cgroups: `<pid>.<start time in clock ticks>`, so a later server can tell a
 * crashed owner (gone, or its pid reused by a process that started at another time) from a live one sharing the run root.
 */
export async function currentServerKey(): Promise<string> {
  return `${process.pid}.${await startTime(process.pid)}`;
}

/** The server key a run dir, /etc copy or cgroup name starts with, or null for names this sandbox did not make. */
export function keyOf(name: string): string | null {
  return /^(?:etc-)?(\d+\.\d+)(?:-|$)/.exec(name)?.[1] ?? null;
}

/** True while the process named by `key` still runs. */
export async function isServerAlive(key: string): Promise<boolean> {
  const [pid, ticks] = key.split('.');
  const current = await startTime(Number(pid)).catch(() => null);
  return current !== null && current === ticks;
}

async function startTime(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Field 22 (1-based) is the start time; fields after the parenthesised command start at field 3.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

/** What the sweep removed, for the start-up log. */
export interface SweepReport {
  runDirs: number;
  etcCopies: number;
}

/**
 * Unmounts and removes the slot dirs and /etc copies of servers that are gone. Their processes died with them (bwrap's
 * --die-with-parent, and a waiting prologue exits when its go descriptor closes), so only mounts and directories remain.
 */
export async function sweepStaleRunRoot(runRoot: string, tools: WorkDirTools): Promise<SweepReport> {
  const report: SweepReport = { runDirs: 0, etcCopies: 0 };
  const runsDir = join(runRoot, 'runs');
  for (const name of await readdir(runsDir).catch(() => [] as string[])) {
    const key = keyOf(name);
    if (key === null || (await isServerAlive(key))) continue;
    for (const slot of await readdir(join(runsDir, name)).catch(() => [] as string[])) {
      const path = join(runsDir, name, slot);
      await run(tools.umountPath, [path], { env: tools.env }).catch(() => run(tools.umountPath, ['--lazy', path], { env: tools.env })).catch(() => undefined);
      // Only an unmounted (now empty) mount point is removed: never recurse into what might still be a live tmpfs.
      await rmdir(path).catch(() => undefined);
    }
    await rmdir(join(runsDir, name)).catch(() => undefined);
    report.runDirs++;
  }
  for (const name of await readdir(runRoot).catch(() => [] as string[])) {
    const key = name.startsWith('etc-') ? keyOf(name) : null;
    if (key === null || (await isServerAlive(key))) continue;
    await rm(join(runRoot, name), { recursive: true, force: true });
    report.etcCopies++;
  }
  return report;
}
