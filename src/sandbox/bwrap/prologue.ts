// The root-side prologue: joins the run's cgroups and sets rlimits, then execs setpriv → bwrap, all in one process.
import type { ResourceLimits } from '../../domain/limits.js';

/**
 * POSIX sh (dash) script. Every value arrives as a positional argument — nothing is interpolated into the script text.
 * Arguments: N, then N `cgroup.procs` files, then cpu seconds, file-size blocks, open files, stack KiB, address-space KiB
 * (`-` = unset) and process count (`-` = unset), then the command to exec.
 * Joining the groups first means every process of the run, bwrap included, is accounted from its first instruction.
 */
export const PROLOGUE_SCRIPT = [
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do',
  '  echo $$ > "$1" || { echo "runlane-prologue: cannot join cgroup $1" >&2; exit 121; }',
  '  shift; n=$((n - 1))',
  'done',
  // dash sets soft and hard together when neither -S nor -H is given; the hard limits can never be raised again.
  'ulimit -c 0 && ulimit -t "$1" && ulimit -f "$2" && ulimit -n "$3" && ulimit -s "$4" || { echo "runlane-prologue: cannot set rlimits" >&2; exit 122; }',
  'if [ "$5" != - ]; then ulimit -v "$5" || exit 122; fi',
  'if [ "$6" != - ]; then ulimit -p "$6" || exit 122; fi',
  'shift 6',
  'exec "$@"',
].join('\n');

/** Exit codes the prologue uses before it execs anything (never seen once bwrap has started the program). */
export const PROLOGUE_EXIT_CODES = { cgroupJoin: 121, rlimits: 122 } as const;

/** Seconds of slack between the cgroup CPU limit (polled) and the per-process RLIMIT_CPU backstop. */
const CPU_RLIMIT_SLACK_SECONDS = 1;

/** Processes bwrap adds to every run (its monitor outside the namespace and the namespace's init). */
export const BWRAP_EXTRA_PROCESSES = 2;

export interface PrologueInput {
  procsFiles: readonly string[];
  limits: ResourceLimits;
  /** Without cgroups, memory, total CPU and process count fall back to RLIMIT_AS / RLIMIT_CPU / RLIMIT_NPROC. */
  fallbackRlimits: boolean;
  /** The command the prologue execs (setpriv … bwrap … -- argv). */
  command: readonly string[];
}

/** Builds the prologue's positional arguments (after `sh -c SCRIPT $0`). */
export function prologueArgs(input: PrologueInput): string[] {
  const { limits } = input;
  const cpuSeconds = input.fallbackRlimits
    ? Math.max(1, Math.ceil(limits.cpuTimeMs / 1000))
    : Math.ceil(limits.cpuTimeMs / 1000) + CPU_RLIMIT_SLACK_SECONDS;
  // dash's `ulimit -f` counts 512-byte blocks.
  const fileSizeBlocks = Math.max(1, Math.ceil(limits.fileSizeBytes / 512));
  const stackKb = Math.max(64, Math.floor(limits.stackMb * 1024));
  const addressSpaceKb = input.fallbackRlimits ? String(Math.floor(limits.memoryMb * 1024)) : '-';
  const processes = input.fallbackRlimits ? String(limits.processes + BWRAP_EXTRA_PROCESSES) : '-';
  return [
    String(input.procsFiles.length),
    ...input.procsFiles,
    String(cpuSeconds),
    String(fileSizeBlocks),
    String(Math.max(16, Math.floor(limits.openFiles))),
    String(stackKb),
    addressSpaceKb,
    processes,
    ...input.command,
  ];
}
