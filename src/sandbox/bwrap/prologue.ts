// The root-side prologue: a process that joins its run's cgroups ahead of time, waits for a run, sets rlimits and execs setpriv → bwrap.
import type { ResourceLimits } from '../../domain/limits.js';

/** Descriptor the prologue reads the run from: one rlimit line, the program's argv, then bwrap's options (`--args 3`). */
export const GO_FD = 3;
/** Descriptor the prologue reports `ready` on, and bwrap later its JSON status. */
export const STATUS_FD = 4;

/**
 * bash script (bash rather than dash: it can close descriptors above 9). Values arrive as positional arguments or on
 * the go descriptor and are only ever expanded, never parsed as code.
 *
 * Arguments: N, N `cgroup.procs` files, then the command prefix (`setpriv … -- bwrap --args 3`); the script appends `-- argv…`.
 * Go message on fd 3: `cpuSeconds fileSizeKiB openFiles stackKiB addressSpaceKiB|- processes|-\n`, the argv as
 * `count\n` + per argument `lineCount\n` + its lines, then NUL-separated bwrap options read by bwrap itself.
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
  '# Descriptors the server inherited without close-on-exec would reach the program; keep only stdio, go and status.',
  'for fd in /proc/self/fd/*; do',
  '  n=${fd##*/}',
  '  if (( n > 4 )) && [[ -L $fd ]]; then exec {n}>&-; fi',
  'done',
  'echo ready >&4',
  'IFS=\' \' read -r cpu fsize nofile stack vmem nproc <&3 || exit 0',
  'IFS= read -r count <&3 || exit 0',
  '[[ $count =~ ^[0-9]+$ ]] || exit 123',
  'prefix=("$@")',
  'nl=$\'\\n\'',
  'set --',
  'i=0',
  'while (( i < count )); do',
  '  IFS= read -r lines <&3 || exit 123',
  '  [[ $lines =~ ^[0-9]+$ ]] || exit 123',
  '  arg=; j=0',
  '  while (( j < lines )); do',
  '    IFS= read -r part <&3 || exit 123',
  '    if (( j == 0 )); then arg=$part; else arg=$arg$nl$part; fi',
  '    j=$((j + 1))',
  '  done',
  '  set -- "$@" "$arg"; i=$((i + 1))',
  'done',
  'ulimit -c 0 && ulimit -t "$cpu" && ulimit -f "$fsize" && ulimit -n "$nofile" && ulimit -s "$stack" || { echo "runlane-prologue: cannot set rlimits" >&2; exit 122; }',
  'if [[ $vmem != - ]]; then ulimit -v "$vmem" || exit 122; fi',
  'if [[ $nproc != - ]]; then ulimit -u "$nproc" || exit 122; fi',
  'exec "${prefix[@]}" -- "$@"',
].join('\n');


/** Seconds of slack between the cgroup CPU limit (polled) and the per-process RLIMIT_CPU backstop. */
const CPU_RLIMIT_SLACK_SECONDS = 1;

/** Processes bwrap adds to every run (its monitor outside the namespace and the namespace's init). */
export const BWRAP_EXTRA_PROCESSES = 2;

/** Positional arguments of the prologue (after `bash -c SCRIPT $0`). */
export function prologueArgs(procsFiles: readonly string[], commandPrefix: readonly string[]): string[] {
  return [String(procsFiles.length), ...procsFiles, ...commandPrefix];
}

export interface GoMessageInput {
  limits: ResourceLimits;
  /** Without cgroups, memory, total CPU and process count fall back to RLIMIT_AS / RLIMIT_CPU / RLIMIT_NPROC. */
  fallbackRlimits: boolean;
  /** The program's argv inside the sandbox. */
  argv: readonly string[];
  /** bwrap's options (everything between `bwrap` and `--`), read by bwrap from the go descriptor. */
  bwrapOptions: readonly string[];
}

/** Builds the message that starts a warm prologue on a run. */
export function goMessage(input: GoMessageInput): Buffer {
  const { limits } = input;
  const cpuSeconds = input.fallbackRlimits
    ? Math.max(1, Math.ceil(limits.cpuTimeMs / 1000))
    : Math.ceil(limits.cpuTimeMs / 1000) + CPU_RLIMIT_SLACK_SECONDS;
  // bash's `ulimit -f` counts 1024-byte blocks outside POSIX mode; rounding up never allows less than asked.
  const fileSizeKiB = Math.max(1, Math.ceil(limits.fileSizeBytes / 1024));
  const stackKiB = Math.max(64, Math.floor(limits.stackMb * 1024));
  const addressSpaceKiB = input.fallbackRlimits ? String(Math.floor(limits.memoryMb * 1024)) : '-';
  const processes = input.fallbackRlimits ? String(limits.processes + BWRAP_EXTRA_PROCESSES) : '-';
  const rlimits = [cpuSeconds, fileSizeKiB, Math.max(16, Math.floor(limits.openFiles)), stackKiB, addressSpaceKiB, processes].join(' ');
  const argvLines = [String(input.argv.length)];
  for (const arg of input.argv) {
    if (arg.includes('\0')) throw new Error('argv must not contain NUL bytes');
    const lines = arg.split('\n');
    argvLines.push(String(lines.length), ...lines);
  }
  for (const option of input.bwrapOptions) if (option.includes('\0')) throw new Error('bwrap options must not contain NUL bytes');
  const options = input.bwrapOptions.map((option) => `${option}\0`).join('');
  return Buffer.from(`${rlimits}\n${argvLines.join('\n')}\n${options}`, 'utf8');
}
