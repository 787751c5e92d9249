// The root-side prologue: a process that joins its run's cgroups ahead of time, waits for a run, sets rlimits and execs setpriv → bwrap.
import type { ResourceLimits } from '../../domain/limits.js';

/** Descriptor the prologue reads the run from: one line of rlimits and the argument count, then bwrap's options (`--args 3`). */
export const GO_FD = 3;
/** Descriptor the prologue reports `ready` on, and bwrap later its JSON status. */
export const STATUS_FD = 4;
/** Descriptor the prologue opens the seccomp filter on for bwrap's `--seccomp`; bwrap reads and closes it. */
export const SECCOMP_FD = 5;

/**
 * bash script (bash rather than dash: it can close descriptors above 9, and `mapfile -d ''` reads NUL-separated items).
 * Values arrive as positional arguments, on the go descriptor or in the argv file, and are only ever expanded, never
 * parsed as code.
 *
 * Arguments: N, N `cgroup.procs` files, the argv file, the seccomp filter, then the command prefix
 * (`setpriv … -- bwrap --args 3`); the script appends `-- argv…`.
 * Go message on fd 3: `cpuSeconds fileSizeKiB openFiles stackKiB addressSpaceKiB|- processes|- argc\n`, then
 * NUL-separated bwrap options read by bwrap itself. The argv sits NUL-terminated in the argv file, written just before the
 * go message: `mapfile` reads a regular file in blocks, where reading a pipe would cost one system call per byte, so even
 * megabytes of arguments cost the prologue milliseconds (and none of it is charged to the program: its CPU clock starts
 * when bwrap reports it started).
 *
 * Joining the groups happens before `ready`: the write to cgroup.procs can stall on an RCU grace period, and a warm
 * prologue pays that before any run is waiting for it.
 */
export const PROLOGUE_SCRIPT = [
  'n=$1; shift',
  'while (( n > 0 )); do',
  '  echo $$ > "$1" || { echo "runlane-prologue: cannot join cgroup $1" >&2; exit 121; }',
  '  shift; n=$((n - 1))',
  'done',
  'argv_file=$1; seccomp_file=$2; shift 2',
  '# Descriptors the server inherited without close-on-exec would reach the program; keep only stdio, go and status.',
  'for fd in /proc/self/fd/*; do',
  '  n=${fd##*/}',
  '  if (( n > 4 )) && [[ -L $fd ]]; then exec {n}>&-; fi',
  'done',
  'echo ready >&4',
  'IFS=\' \' read -r cpu fsize nofile stack vmem nproc argc <&3 || exit 0',
  '[[ $argc =~ ^[0-9]+$ ]] || exit 123',
  'mapfile -d \'\' -t argv < "$argv_file" || exit 123',
  '(( ${#argv[@]} == argc )) || exit 123',
  `exec ${SECCOMP_FD}< "$seccomp_file" || { echo "runlane-prologue: cannot open the seccomp filter" >&2; exit 124; }`,
  'ulimit -c 0 && ulimit -t "$cpu" && ulimit -f "$fsize" && ulimit -n "$nofile" && ulimit -s "$stack" || { echo "runlane-prologue: cannot set rlimits" >&2; exit 122; }',
  'if [[ $vmem != - ]]; then ulimit -v "$vmem" || exit 122; fi',
  'if [[ $nproc != - ]]; then ulimit -u "$nproc" || exit 122; fi',
  'exec "$@" -- "${argv[@]}"',
].join('\n');

/** Seconds of slack between the cgroup CPU limit (polled) and the per-process RLIMIT_CPU backstop. */
const CPU_RLIMIT_SLACK_SECONDS = 1;

/** Processes bwrap adds to every run (its monitor outside the namespace and the namespace's init). */
export const BWRAP_EXTRA_PROCESSES = 2;

/** Files a prologue is started with: where its run's argv will be written, and the seccomp filter it hands to bwrap. */
export interface PrologueFiles {
  argvFile: string;
  seccompFilter: string;
}

/** Positional arguments of the prologue (after `bash -c SCRIPT $0`). */
export function prologueArgs(procsFiles: readonly string[], files: PrologueFiles, commandPrefix: readonly string[]): string[] {
  return [String(procsFiles.length), ...procsFiles, files.argvFile, files.seccompFilter, ...commandPrefix];
}

export interface GoMessageInput {
  limits: ResourceLimits;
  /** Without cgroups, memory, total CPU and process count fall back to RLIMIT_AS / RLIMIT_CPU / RLIMIT_NPROC. */
  fallbackRlimits: boolean;
  /** How many arguments the argv file holds; the prologue refuses a file that disagrees. */
  argc: number;
  /** bwrap's options (everything between `bwrap` and `--`), read by bwrap from the go descriptor. */
  bwrapOptions: readonly string[];
}

/** The rlimits a run's process sets before the program starts; null where cgroups enforce the limit instead. */
export interface RunRlimits {
  cpuSeconds: number;
  fileSizeKiB: number;
  openFiles: number;
  stackKiB: number;
  addressSpaceKiB: number | null;
  processes: number | null;
}

/**
 * RLIMIT_CPU is a per-process backstop a second above the polled cgroup limit (the limit itself without cgroups);
 * RLIMIT_AS and RLIMIT_NPROC stand in for the memory and pids cgroups only when there are none. `extraProcesses` are the
 * sandbox's own processes counted by RLIMIT_NPROC.
 */
export function runRlimits(limits: ResourceLimits, fallbackRlimits: boolean, extraProcesses: number): RunRlimits {
  return {
    cpuSeconds: fallbackRlimits ? Math.max(1, Math.ceil(limits.cpuTimeMs / 1000)) : Math.ceil(limits.cpuTimeMs / 1000) + CPU_RLIMIT_SLACK_SECONDS,
    // bash's `ulimit -f` counts 1024-byte blocks outside POSIX mode; rounding up never allows less than asked.
    fileSizeKiB: Math.max(1, Math.ceil(limits.fileSizeBytes / 1024)),
    openFiles: Math.max(16, Math.floor(limits.openFiles)),
    stackKiB: stackKiB(limits),
    addressSpaceKiB: fallbackRlimits ? Math.floor(limits.memoryMb * 1024) : null,
    processes: fallbackRlimits ? limits.processes + extraProcesses : null,
  };
}

/** Builds the message that starts a warm prologue on a run (its argv goes to the argv file, see `WorkDir.writeArgv`). */
export function goMessage(input: GoMessageInput): Buffer {
  const rlimits = runRlimits(input.limits, input.fallbackRlimits, BWRAP_EXTRA_PROCESSES);
  if (!Number.isInteger(input.argc) || input.argc < 1) throw new Error('argc must be a positive integer');
  const line = [
    rlimits.cpuSeconds, rlimits.fileSizeKiB, rlimits.openFiles, rlimits.stackKiB, rlimits.addressSpaceKiB ?? '-', rlimits.processes ?? '-', input.argc,
  ].join(' ');
  for (const option of input.bwrapOptions) if (option.includes('\0')) throw new Error('bwrap options must not contain NUL bytes');
  const options = input.bwrapOptions.map((option) => `${option}\0`).join('');
  return Buffer.from(`${line}\n${options}`, 'utf8');
}

/** RLIMIT_STACK the prologue sets, KiB; it also bounds the argument bytes execve accepts. */
export function stackKiB(limits: Pick<ResourceLimits, 'stackMb'>): number {
  return Math.max(64, Math.floor(limits.stackMb * 1024));
}
