// After a command's bwrap has exited: kill whatever is left, read figures and files, remove the cgroup (the slot stays the workspace's).
import type { LimitHit, SandboxCommand, SandboxFile } from '../../sandbox.js';
import type { CgroupFigures } from '../../cgroup/cgroup-driver.js';
import type { RunnerPool } from '../pool/runner-pool.js';
import type { ExitInfo, WarmRunner } from '../pool/warm-runner.js';
import type { ExitStatus } from './exit-status.js';

/** Upper bound on what is read back by collectFiles, whatever the work dir size. */
const COLLECT_MAX_BYTES = 256 * 1024 * 1024;
const COLLECT_MAX_FILES = 10_000;
/** Output still buffered in pipes after the program died is waited for at most this long. */
const STREAM_DRAIN_MS = 2_000;

/** Durations of a run's phases, logged at debug level. */
export interface PhaseTimes {
  prepareMs: number;
  startMs: number;
  runMs: number;
  teardownMs: number;
}

export interface TeardownInput {
  warm: WarmRunner;
  pool: RunnerPool;
  spec: SandboxCommand;
  exit: ExitInfo;
  /** bwrap reported the program started. */
  started: boolean;
  /** The sandbox itself ended the run (limit or abort): no limit needs inferring. */
  stoppedBySandbox: boolean;
}

export interface TeardownOutcome {
  status: ExitStatus;
  figures: CgroupFigures;
  files: SandboxFile[];
  /** A limit explaining an end the sandbox did not cause (OOM killer, rlimit, full work dir). */
  inferredLimit: LimitHit;
  /** Set when processes could not be killed (the slot is then retired) or figures and files could not be read. */
  error: Error | null;
  /** Processes could not be killed: the slot was retired and must not run anything again. */
  slotRetired: boolean;
}

/** Verified teardown: returns only once every process of the run is gone, or reports why not. */
export async function tearDown(input: TeardownInput): Promise<TeardownOutcome> {
  const { warm, spec } = input;
  const status = warm.exitStatus(input.exit);
  let figures: CgroupFigures = { cpuTimeMs: 0, memoryPeakKb: 0, oomKilled: false, processLimitHit: false };
  let files: SandboxFile[] = [];
  let fileSizeCap = false;
  try {
    await warm.cgroup.killAll();
    // A resident sandbox checks its own namespace after every run (processes, sockets); what it found retires the slot.
    if (warm.resetProblem !== null) throw new Error(`the sandbox found the run's leftovers after it: ${warm.resetProblem}`);
  } catch (error) {
    // Processes may still be alive: the slot (its uid and work dir) is retired, never reused.
    await input.pool.retireSlot(warm.slot, error, true);
    return { status, figures, files, inferredLimit: null, error: error as Error, slotRetired: true };
  }
  let failure: Error | null = null;
  try {
    // Independent waits, side by side: this is on the way to the result.
    [, figures] = await Promise.all([drainStreams(warm), warm.cgroup.figures()]);
    if (input.started && !input.stoppedBySandbox && isFailure(status)) {
      fileSizeCap = await warm.slot.workDir.hitFileSizeCap(spec.limits.fileSizeBytes).catch(() => false);
    }
    if (input.started && spec.collectFiles) {
      const maxBytes = Math.min(COLLECT_MAX_BYTES, spec.limits.workDirMb * 1024 * 1024);
      files = await warm.slot.workDir.collect({ maxBytes, maxFiles: COLLECT_MAX_FILES });
    }
  } catch (error) {
    failure = error as Error;
  }
  // The group is empty now (killAll verified it); removing it takes the kernel's cgroup mutex, which a prologue joining its
  // group elsewhere can hold for an RCU grace period, so the removal happens in the background (close() awaits it).
  input.pool.removeCgroup(warm.cgroup);
  // Every process is gone; the workspace holding the slot empties and verifies it when it is destroyed.
  if (failure !== null) return { status, figures, files: [], inferredLimit: null, error: failure, slotRetired: false };
  return { status, figures, files, inferredLimit: inferLimitHit(status, figures, spec.limits.cpuTimeMs, fileSizeCap), error: null, slotRetired: false };
}

async function drainStreams(warm: WarmRunner): Promise<void> {
  const streams = [warm.stdout, warm.stderr].filter((stream) => !stream.closed);
  if (streams.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(streams.map((stream) => new Promise((resolve) => stream.once('close', resolve)))),
    new Promise((resolve) => (timer = setTimeout(resolve, STREAM_DRAIN_MS))),
  ]);
  clearTimeout(timer);
  for (const stream of streams) stream.destroy();
}

function isFailure(status: ExitStatus): boolean {
  return status.signal !== null || (status.exitCode !== null && status.exitCode !== 0);
}

/** Which limit explains an end the sandbox did not cause itself (the kernel's OOM killer, an rlimit, a full disk). */
export function inferLimitHit(status: ExitStatus, figures: CgroupFigures, cpuLimitMs: number, fileSizeCap: boolean): LimitHit {
  if (figures.oomKilled) return 'memory';
  if (status.signal === 'SIGXCPU' || (status.signal === 'SIGKILL' && figures.cpuTimeMs >= cpuLimitMs)) return 'cpu';
  if (status.signal === 'SIGXFSZ' || (isFailure(status) && fileSizeCap)) return 'file-size';
  if (isFailure(status) && figures.processLimitHit) return 'processes';
  return null;
}
