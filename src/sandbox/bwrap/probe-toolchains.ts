// Toolchain detection through the sandbox: each probe is one sandboxed run that looks its tools up and prints the version.
import type { Sandbox, ToolchainProbe, ToolchainReport } from '../sandbox.js';

/** Probes run at once: start-up stays quick without taking every slot. */
const PARALLEL_PROBES = 4;
/** Line the probe script prints when tools are missing; a version command never prints it first. */
const MISSING_MARK = 'runlane-missing-tools:';
/** Looks every tool up on the sandbox's PATH (`command -v`), then execs the version command. Values are positional, never code. */
const PROBE_SCRIPT = [
  'n=$1; shift; missing=',
  'while [ "$n" -gt 0 ]; do command -v "$1" >/dev/null 2>&1 || missing="$missing $1"; shift; n=$((n - 1)); done',
  `if [ -n "$missing" ]; then echo "${MISSING_MARK}$missing"; exit 127; fi`,
  'exec "$@"',
].join('\n');

/** Generous limits: a JVM or a Go toolchain printing its version needs more than a typical submission. */
const PROBE_LIMITS = { cpuTimeMs: 10_000, memoryMb: 1024, processes: 64, outputBytes: 64 * 1024, fileSizeBytes: 1024 * 1024, workDirMb: 16, openFiles: 256, stackMb: 8 };

/** Runs every probe in the sandbox (a few at a time); a failed run is reported in its outcome, never thrown. */
export async function probeToolchains(sandbox: Pick<Sandbox, 'run'>, probes: readonly ToolchainProbe[]): Promise<ToolchainReport[]> {
  const reports: ToolchainReport[] = new Array(probes.length);
  let next = 0;
  const lane = async () => {
    while (next < probes.length) {
      const index = next++;
      reports[index] = await probe(sandbox, probes[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PROBES, probes.length) }, lane));
  return reports;
}

async function probe(sandbox: Pick<Sandbox, 'run'>, { tools, versionCommand, timeoutMs = 10_000 }: ToolchainProbe): Promise<ToolchainReport> {
  try {
    const result = await sandbox.run({
      argv: ['sh', '-c', PROBE_SCRIPT, 'runlane-probe', String(tools.length), ...tools, ...versionCommand],
      limits: { ...PROBE_LIMITS, wallTimeMs: timeoutMs },
      label: `probe:${versionCommand[0] ?? ''}`,
    });
    const output = `${result.stdout.toString('utf8')}${result.stderr.toString('utf8')}`;
    if (output.startsWith(MISSING_MARK)) return { missing: output.slice(MISSING_MARK.length).trim().split(/\s+/), output: '', error: null };
    if (result.limitHit === 'wall') return { missing: [], output, error: `timed out after ${timeoutMs} ms` };
    if (result.exitCode === 0) return { missing: [], output, error: null };
    const firstLine = output.trim().split('\n')[0] ?? '';
    const ended = result.signal !== null ? `was killed by ${result.signal}` : `exited with ${result.exitCode}`;
    return { missing: [], output, error: `${ended}${firstLine ? `: ${firstLine}` : ''}` };
  } catch (error) {
    return { missing: [], output: '', error: (error as Error).message };
  }
}
