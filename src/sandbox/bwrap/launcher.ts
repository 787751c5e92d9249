// The native launcher (native/launcher.c): the prologue's job in one small process that drops to the pool uid itself and execs bwrap.
import { fileURLToPath } from 'node:url';
import { findBuiltExecutable } from './host-tools.js';
import type { PrologueFiles } from './prologue.js';

/** Where scripts/setup.sh builds the launcher; the same relative path from src/ and from the built dist/. */
export const DEFAULT_LAUNCHER = fileURLToPath(new URL('../../../native/build/runlane-launcher', import.meta.url));

/** Exit codes of the launcher (those shared with the bash prologue keep its numbers). */
export const LAUNCHER_EXIT = { usage: 120, cgroup: 121, rlimit: 122, badRun: 123, seccomp: 124, privileges: 125, exec: 127 } as const;

export interface LauncherArgsInput {
  /** The run's host uid (and gid), never 0: the launcher drops to it as setpriv would. */
  hostUid: number;
  procsFiles: readonly string[];
  files: PrologueFiles;
  /** `bwrap --args 3`; the launcher appends `-- argv…`. */
  command: readonly string[];
}

/** Arguments of the launcher: `UID N PROCS_FILE… ARGV_FILE SECCOMP_FILE COMMAND…`. */
export function launcherArgs(input: LauncherArgsInput): string[] {
  if (!Number.isInteger(input.hostUid) || input.hostUid <= 0) throw new Error(`refusing to run as host uid ${input.hostUid}`);
  return [String(input.hostUid), String(input.procsFiles.length), ...input.procsFiles, input.files.argvFile, input.files.seccompFilter, ...input.command];
}

/**
 * The launcher's absolute path when it is built and executable, else null: the sandbox then starts runs through the bash
 * prologue and setpriv, which behave the same at a few milliseconds more per run.
 */
export function findLauncher(path: string = DEFAULT_LAUNCHER): Promise<string | null> {
  return findBuiltExecutable(path);
}
