// Toolchain detection through the sandbox: each probe is one sandboxed run that looks its tools up and prints the version.
import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOX_ERRORS, isAppError } from '../../errors/index.js';
import type { Sandbox, ToolchainProbe, ToolchainReport } from '../sandbox.js';

/** Probes run at once at most: start-up stays quick without taking every slot (half of them, on a small sandbox). */
const PARALLEL_PROBES = 4;
/** A probe that finds every slot in use (other work on a tiny sandbox) waits this long and tries again, this many times. */
const BUSY_RETRY_MS = 200;
const BUSY_RETRIES = 25;
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
export async function probeToolchains(sandbox: Pick<Sandbox, 'run' | 'health'>, probes: readonly ToolchainProbe[]): Promise<ToolchainReport[]> {
  const parallel = Math.max(1, Math.min(PARALLEL_PROBES, Math.floor(sandbox.health().slots / 2), probes.length));
  const reports: ToolchainReport[] = new Array(probes.length);
  let next = 0;
  const lane = async () => {
    while (next < probes.length) {
      const index = next++;
      reports[index] = await probe(sandbox, probes[index]!);
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return reports;
}

async function probe(sandbox: Pick<Sandbox, 'run'>, toolchain: ToolchainProbe): Promise<ToolchainReport> {
  for (let attempt = 0; ; attempt++) {
    const report = await probeOnce(sandbox, toolchain);
    if (report !== 'busy') return report;
    if (attempt >= BUSY_RETRIES) return { missing: [], output: '', error: 'every sandbox slot stayed in use' };
    await sleep(BUSY_RETRY_MS);
  }
}

async function probeOnce(sandbox: Pick<Sandbox, 'run'>, { tools, versionCommand, timeoutMs = 10_000 }: ToolchainProbe): Promise<ToolchainReport | 'busy'> {
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
    if (isAppError(error) && error.code === SANDBOX_ERRORS.busy.code) return 'busy';
    return { missing: [], output: '', error: (error as Error).message };
  }
}
