// Builds the bwrap sandbox: detects the host (bwrap, setpriv, cgroups, root, seccomp filter) and returns a ready Sandbox.
import { chmod, mkdir, readFile, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Logger } from '../../logging/logger.js';
import { AppError, SANDBOX_ERRORS, isAppError } from '../../errors/index.js';
import type { Sandbox, SandboxCapabilities } from '../sandbox.js';
import { SETUP_TIMEOUT_MS } from './run/sandbox-run.js';
import { BwrapSandbox } from './bwrap-sandbox.js';
import { HOST_PATH, readBwrapVersion, resolveHostExecutable } from './host-tools.js';
import { prepareHostLayout, removeHostLayout, type HostLayout } from './host-layout.js';
import { loadSeccompFilter } from './seccomp-filter.js';
import { DEFAULT_LAUNCHER, findLauncher } from './launcher.js';
import type { CgroupDriver } from '../cgroup/cgroup-driver.js';
import { currentServerKey, isServerAlive, keyOf, sweepStaleRunRoot } from '../stale-sweep.js';
import { detectCgroups } from '../cgroup/detect-cgroups.js';
import { UidPool } from '../uid-pool.js';
import { RunnerPool } from './pool/runner-pool.js';
import { coldRunners, type RunnerKind } from './pool/runner-kind.js';
import { residentRunners } from './resident/resident-runners.js';
import { DEFAULT_RESIDENT_INIT, findResidentInit } from './resident/resident-init.js';

/** Work dir size of slots prepared before the first run says what it needs (the default run limit), MiB. */
const DEFAULT_WORK_DIR_MB = 64;


/** Host settings of the sandbox (the config file's `sandbox` section). */
export interface BwrapSandboxOptions {
  /**
   * How runs are started: `resident` keeps one sandbox per slot whose namespaces are built once and whose PID 1 forks
   * each run; `bwrap` builds every run's namespaces afresh with its own bubblewrap process (the slower cold path, kept
   * for comparison). @defaultValue `'resident'`
   */
  implementation?: 'resident' | 'bwrap';
  /**
   * PID 1 of each resident sandbox (native/resident-init.c).
   * @defaultValue `native/build/runlane-resident-init` of this installation, built by `scripts/setup.sh`
   */
  residentInitPath?: string;
  /** bubblewrap executable, a name looked up on PATH or an absolute path. @defaultValue `'bwrap'` */
  bwrapPath: string;
  /** Host directory for the synthetic /etc files and one tmpfs mount point per live run. @defaultValue `'/run/runlane'` */
  runRoot: string;
  /** First host uid of the pool runs execute as; never 0. @defaultValue `61000` */
  uidBase: number;
  /** Size of the uid pool; also the most runs alive at once. @defaultValue `512` */
  uidCount: number;
  /** Parent cgroup: absolute path inside the v2 mount, or a name under each v1 controller; null = `runlane`. @defaultValue `null` */
  cgroupRoot: string | null;
  /** Refuse to start without usable cgroups instead of falling back to rlimits. @defaultValue `false` */
  requireCgroups: boolean;
  /** Forces a cgroup flavour instead of detecting it (tests, benchmarks, debugging). @defaultValue detect */
  cgroupVersion?: 'v1' | 'v2' | 'none';
  /** Extra host paths bound read-only at the same place in every run (e.g. a toolchain under /opt). @defaultValue `[]` */
  readOnlyPaths?: string[];
  /**
   * Prologues kept waiting inside fresh cgroups with a mounted work dir, so a run skips the cgroup attach and the mount.
   * 0 starts every run cold. @defaultValue the number of CPUs (capped at uidCount)
   */
  warmPool?: number;
  /**
   * The seccomp filter (classic BPF) bwrap loads into every run; the sandbox refuses to start without it.
   * @defaultValue `native/build/seccomp.bpf` of this installation, built by `scripts/setup.sh`
   */
  seccompFilter?: string;
  /**
   * The native launcher that starts each run (joins its cgroups, sets rlimits, drops to the pool uid, execs bwrap); when it
   * is not built, or with null, runs start through the bash prologue and setpriv, the same steps at a few ms more per run.
   * @defaultValue `native/build/runlane-launcher` of this installation, built by `scripts/setup.sh`
   */
  launcherPath?: string | null;
  /**
   * Time bwrap gets to report that the program started before the run counts as a sandbox fault; it no longer applies once
   * the program runs. @defaultValue `15000`
   */
  setupTimeoutMs?: number;
}

/**
 * Detects what the host offers and builds the sandbox.
 * Refuses (AppError) without bwrap, setpriv, root or the seccomp filter; warns loudly when cgroups are missing and rlimits stand in;
 * finally runs `true` in the sandbox once, so a host without user namespaces fails here rather than on the first submission.
 */
export async function createBwrapSandbox(options: BwrapSandboxOptions, logger: Logger): Promise<Sandbox> {
  const log = logger.child({ component: 'sandbox' });
  const bwrap = await resolveHostExecutable(options.bwrapPath);
  if (!bwrap) throw new AppError(SANDBOX_ERRORS.bwrapMissing, `bubblewrap was not found (looked for ${JSON.stringify(options.bwrapPath)}). Install it: apt-get install -y bubblewrap`);
  const [setpriv, mount, umount, bash] = await Promise.all(['setpriv', 'mount', 'umount', 'bash'].map((name) => resolveHostExecutable(name, HOST_PATH)));
  if (!setpriv) throw new AppError(SANDBOX_ERRORS.setprivMissing, 'setpriv was not found. Install it: apt-get install -y util-linux');
  if (!mount || !umount || !bash) throw new AppError(SANDBOX_ERRORS.unsupportedHost, 'mount, umount or bash is missing on this host');
  if (process.platform !== 'linux') throw new AppError(SANDBOX_ERRORS.unsupportedHost, `the sandbox needs Linux, this is ${process.platform}`);
  if (process.getuid?.() !== 0) throw new AppError(SANDBOX_ERRORS.notRoot, 'the sandbox must be started as root (each run then drops to an unprivileged pool uid)');
  if (options.uidBase <= 0) throw new AppError(SANDBOX_ERRORS.setupFailed, 'sandbox.uidBase must be above 0: a run never executes as root on the host');
  const seccompFilter = await loadSeccompFilter(options.seccompFilter);
  const launcherPath = options.launcherPath === null ? null : await findLauncher(options.launcherPath ?? DEFAULT_LAUNCHER);
  const implementation = await chooseImplementation(options, log);
  if (launcherPath === null && options.launcherPath !== null && implementation.kind === 'bwrap') {
    log.warn({ launcher: options.launcherPath ?? DEFAULT_LAUNCHER }, 'SANDBOX: the native launcher is not built (run `bash scripts/setup.sh`); runs start through the slower bash prologue');
  }

  let bwrapVersion: string;
  try {
    bwrapVersion = await readBwrapVersion(bwrap);
  } catch (error) {
    throw new AppError(SANDBOX_ERRORS.bwrapMissing, `bubblewrap at ${bwrap} does not run: ${(error as Error).message}`, { cause: error });
  }

  const serverKey = await currentServerKey();
  const hostEnv = { PATH: HOST_PATH };
  const workDirTools = { mountPath: mount, umountPath: umount, env: hostEnv };
  const runsDir = join(options.runRoot, 'runs', serverKey);
  let layout: HostLayout;
  try {
    // 0711: pool uids may traverse to their own mount point and the /etc copy but cannot list other runs.
    await mkdir(dirname(runsDir), { recursive: true });
    await chmod(options.runRoot, 0o711);
    await chmod(dirname(runsDir), 0o711);
    await assertTraversable(options.runRoot);
    const swept = await sweepStaleRunRoot(options.runRoot, workDirTools);
    if (swept.runDirs + swept.etcCopies > 0) log.warn({ ...swept }, 'SANDBOX: removed work dirs and /etc copies left by a server that did not shut down');
    await mkdir(runsDir, { mode: 0o711 });
    layout = await prepareHostLayout({ parentDir: options.runRoot, serverKey, readOnlyPaths: options.readOnlyPaths });
  } catch (error) {
    throw new AppError(SANDBOX_ERRORS.setupFailed, `cannot prepare the run root ${options.runRoot}: ${(error as Error).message}`, { cause: error });
  }

  try {
    const driver = await detectDriver(options, log);
    const staleGroups = await driver.sweep(async (name) => {
      const key = keyOf(name);
      return key !== null && !(await isServerAlive(key));
    });
    if (staleGroups > 0) log.warn({ cgroups: staleGroups }, 'SANDBOX: removed run cgroups left by a server that did not shut down');
    const capabilities = bwrapCapabilities(implementation.kind, driver.version, bwrapVersion, driver.warnings);
    const cold = { bashPath: bash, setprivPath: setpriv, bwrapPath: bwrap, hostEnv, seccompFilter, launcherPath };
    const runners: RunnerKind =
      implementation.kind === 'resident'
        ? residentRunners({ bwrapPath: bwrap, initPath: implementation.initPath, layout, seccompFilter: await readFile(seccompFilter), hostEnv, logger: log, cgroupParentDir: driver.cloneParentDir })
        : coldRunners(cold);
    const pool = new RunnerPool({
      driver,
      uids: new UidPool(options.uidBase, options.uidCount),
      runsDir,
      workDirTools,
      runners,
      logger: log,
      warmTarget: Math.min(options.warmPool ?? availableParallelism(), options.uidCount),
      initialWorkDirMb: DEFAULT_WORK_DIR_MB,
      serverKey,
    });
    const sandbox = new BwrapSandbox(capabilities, { driver, pool, layout, runsDir, logger: log, setupTimeoutMs: options.setupTimeoutMs ?? SETUP_TIMEOUT_MS }, log);
    await selfTest(sandbox);
    const starter = implementation.kind === 'resident' ? implementation.initPath : (launcherPath ?? 'bash prologue');
    log.info({ implementation: capabilities.implementation, version: bwrapVersion, cgroups: capabilities.cgroups, runRoot: options.runRoot, starter }, 'sandbox ready');
    return sandbox;
  } catch (error) {
    await removeHostLayout(layout).catch(() => undefined);
    await rmdir(runsDir).catch(() => undefined);
    throw error;
  }
}

/**
 * The resident implementation unless the options ask for the per-run one; without a built resident init the per-run path
 * stands in, loudly, as it does the same job more slowly.
 */
async function chooseImplementation(options: BwrapSandboxOptions, log: Logger): Promise<{ kind: 'bwrap' } | { kind: 'resident'; initPath: string }> {
  if (options.implementation === 'bwrap') return { kind: 'bwrap' };
  const initPath = await findResidentInit(options.residentInitPath ?? DEFAULT_RESIDENT_INIT);
  if (initPath !== null) return { kind: 'resident', initPath };
  log.warn({ init: options.residentInitPath ?? DEFAULT_RESIDENT_INIT }, 'SANDBOX: the resident sandbox init is not built (run `bash scripts/setup.sh`); every run builds its namespaces afresh, several ms slower');
  return { kind: 'bwrap' };
}

/** What the sandbox enforces: namespaces, the seccomp filter and the work dir always; the whole-run caps only with cgroups. */
function bwrapCapabilities(implementation: 'resident' | 'bwrap', cgroups: SandboxCapabilities['cgroups'], version: string, warnings: string[]): SandboxCapabilities {
  const grouped = cgroups !== 'none';
  return {
    implementation,
    version,
    // Without cgroups RLIMIT_NPROC still caps processes: each run has a host uid of its own.
    enforces: { memory: grouped, cpuTotal: grouped, pids: true, network: true, filesystem: true, seccomp: true, memoryPeak: grouped },
    cgroups,
    warnings,
  };
}

/** Detects (or forces) the cgroup flavour and logs why a better one was not used. */
async function detectDriver(options: BwrapSandboxOptions, log: Logger): Promise<CgroupDriver & { warnings: string[] }> {
  let detected;
  try {
    detected = await detectCgroups({ cgroupRoot: options.cgroupRoot, force: options.cgroupVersion });
  } catch (error) {
    throw new AppError(SANDBOX_ERRORS.setupFailed, `cgroups: ${(error as Error).message}`, { cause: error });
  }
  const { driver, warnings } = detected;
  if (driver.version === 'none' && options.requireCgroups) {
    throw new AppError(SANDBOX_ERRORS.unsupportedHost, `no usable cgroups and sandbox.requireCgroups is set: ${warnings.join('; ')}`);
  }
  for (const warning of warnings) {
    (driver.version === 'none' ? log.warn.bind(log) : log.info.bind(log))({ cgroups: driver.version }, `SANDBOX WARNING: ${warning}`);
  }
  return Object.assign(driver, { warnings });
}

/** bwrap runs as the pool uid and must reach its work dir: every ancestor of the run root needs search permission for others. */
async function assertTraversable(runRoot: string): Promise<void> {
  for (let dir = dirname(resolve(runRoot)); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) throw new Error(`${dir} is not searchable by other users (mode o+x missing), so sandboxed runs cannot reach ${runRoot}`);
    if (dir === dirname(dir)) return;
  }
}

/** One trivial run: fails fast (and explains) when namespaces, mounts or cgroups do not work on this host. */
async function selfTest(sandbox: Sandbox): Promise<void> {
  const limits = { cpuTimeMs: 2000, wallTimeMs: 10_000, memoryMb: 64, processes: 8, outputBytes: 4096, fileSizeBytes: 4096, workDirMb: DEFAULT_WORK_DIR_MB, openFiles: 64, stackMb: 8 };
  try {
    const result = await sandbox.run({ argv: ['true'], limits, label: 'self-test' });
    if (result.exitCode === 0) return;
    const stderr = result.stderr.toString('utf8').trim();
    throw new Error(`\`true\` ended with ${result.exitCode ?? result.signal}${stderr ? `: ${stderr}` : ''}`);
  } catch (error) {
    await sandbox.close();
    if (isAppError(error) && error.code !== SANDBOX_ERRORS.setupFailed.code) throw error;
    throw new AppError(SANDBOX_ERRORS.unsupportedHost, `the sandbox self-test failed: ${(error as Error).message}`, { cause: error });
  }
}
