// One command on a resident sandbox: the resident's parked child, moved into the run's fresh cgroups before the command comes.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { SandboxCommand } from '../../sandbox.js';
import type { RunCgroup } from '../../cgroup/cgroup-driver.js';
import { sandboxEnv } from '../bwrap-argv.js';
import { runRlimits } from '../prologue.js';
import { interpretExit, type ExitStatus } from '../run/exit-status.js';
import type { Slot } from '../pool/slot.js';
import type { ExitInfo, GoInput, WarmRunner } from '../pool/warm-runner.js';
import { isProgramFault, type ResidentInit, type ResidentRun } from './resident-init.js';
import type { ResidentHandle } from './resident-handle.js';

/**
 * Parks a child in the slot's resident as soon as the resident is free (right away between commands, or once the current
 * command ended), then places it in the run's cgroups from the host, ahead of the command: the hot path is one frame.
 */
export class ResidentRunner implements WarmRunner {
  /** The parked child becomes the program itself: nothing of the sandbox's own counts against the run's process limit. */
  readonly extraProcesses = 0;
  /** The parked child does next to nothing between the hand-over and the exec: the program's clock starts at the hand-over. */
  readonly cpuClockAtStart = false;
  readonly ready: Promise<boolean>;
  readonly exited: Promise<ExitInfo>;
  onStarted: () => void = () => undefined;
  private run: ResidentRun | null = null;
  private exitInfo: ExitInfo | null = null;
  private readyFlag = false;
  private problem: string | null = null;
  private settleExit!: (info: ExitInfo) => void;
  /** Resolves once the resident is free again: the command ended, or the parked child was discarded. */
  private release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  private discarding: Promise<void> | null = null;

  constructor(
    readonly slot: Slot,
    readonly cgroup: RunCgroup,
    private readonly resident: ResidentHandle,
  ) {
    this.exited = new Promise<ExitInfo>((resolve) => (this.settleExit = resolve)).then((info) => {
      this.exitInfo = info;
      return info;
    });
    let markReady!: (ready: boolean) => void;
    this.ready = new Promise<boolean>((resolve) => (markReady = resolve));
    // The resident serves one command at a time: this runner's turn begins when the previous one released it.
    resident
      .turn(async (init) => {
        try {
          try {
            await parkInto(init, cgroup);
          } catch (error) {
            // A resident killed since the last command is only found out now (its exit is still on its way to this
            // process): a fresh one is started and parks instead. Any other failure fails the same way again below.
            if (!init.hasExited) throw error;
            await resident.restart();
            await parkInto(resident.current(), cgroup);
          }
        } catch (error) {
          this.problem = `the resident sandbox could not park a child: ${(error as Error).message}`;
          // The resident is in an unknown state: the next turn starts a fresh one.
          await resident.restart();
          this.settleExit({ code: null, signal: null, error: error as Error });
          markReady(false);
          return;
        }
        this.readyFlag = true;
        markReady(true);
        await this.released;
      })
      .catch((error: unknown) => {
        this.problem ??= `the resident sandbox failed: ${(error as Error).message}`;
        this.settleExit({ code: null, signal: null, error: error as Error });
        markReady(false);
      });
  }

  get isReady(): boolean {
    return this.readyFlag;
  }

  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  get stdin(): Writable {
    return this.requireRun().stdin;
  }

  get stdout(): Readable {
    return this.requireRun().stdout;
  }

  get stderr(): Readable {
    return this.requireRun().stderr;
  }

  get resetProblem(): string | null {
    return this.problem;
  }

  /** Arguments travel in the job frame; what is awaited is the parked child in its cgroups (it may still be on its way). */
  async prepare(): Promise<void> {
    if (!(await this.ready)) throw new Error(this.problem ?? 'the resident sandbox has no parked child for this command');
    // The resident may have died since (killed from the host): the command fails as a set-up fault, the next turn
    // starts a fresh resident.
    if (!this.resident.current().parked) {
      this.problem = 'the resident sandbox exited while a child was parked';
      throw new Error(this.problem);
    }
  }

  go(input: GoInput): void {
    const { command } = input;
    const init = this.resident.current();
    const run = init.begin({
      argv: command.argv,
      // bwrap's --chdir sets PWD for the per-run path; the same environment here.
      env: { ...sandboxEnv(command.env), PWD: '/box' },
      rlimits: jobRlimits(command, input.fallbackRlimits),
      outputBytes: command.limits.outputBytes,
    });
    this.run = run;
    let programStarted = false;
    run.started.then(
      () => {
        programStarted = true;
        this.onStarted();
      },
      // A program that cannot be executed is the program's failure (exit 127, the reason on its stderr), as with a shell;
      // any other failure before the exec is the sandbox's, reported as a failed set-up.
      (error: unknown) => {
        if (isProgramFault((error as Error).message.replace(/^the program could not be started: /, ''))) this.onStarted();
      },
    );
    void run.ended.then((end) => {
      // The resident went away between the park and the exec (killed from the host): nothing of the program ran, and its
      // pid namespace took the parked child along. A failed set-up, as when the death is seen before the hand-over, not a
      // reset problem; the next turn starts a fresh resident, and the teardown still checks the run's cgroups empty.
      const diedBeforeStart = end.residentExited === true && !programStarted;
      if (!end.clean && !diedBeforeStart) this.problem = end.problem ?? 'the resident sandbox could not verify its reset';
      this.release();
      this.settleExit(
        diedBeforeStart
          ? { code: null, signal: null, error: new Error(end.problem ?? 'the resident sandbox exited before the program started') }
          : { code: end.code, signal: end.signal },
      );
    });
  }

  async afterStart(): Promise<void> {
    // Nothing was written for the start.
  }

  kill(): void {
    this.run?.kill();
  }

  async signal(name: NodeJS.Signals): Promise<void> {
    this.run?.signal(name);
  }

  /** The resident reports the program's own status: no 128 + N guessing as with bwrap's exit code. */
  exitStatus(exit: ExitInfo): ExitStatus {
    return exit.signal !== null ? interpretExit(null, exit.signal) : { exitCode: exit.code, signal: null };
  }

  /** Kills the parked child (the resident reports it ended) and gives the resident back. */
  discard(): Promise<void> {
    this.discarding ??= this.discardParked();
    return this.discarding;
  }

  private async discardParked(): Promise<void> {
    if (this.run !== null) {
      this.run.kill();
      await this.exited;
      return;
    }
    if (await this.ready) {
      try {
        await this.resident.current().unpark();
      } catch (error) {
        this.problem = `the resident sandbox could not discard its parked child: ${(error as Error).message}`;
        await this.resident.restart();
      }
    }
    this.release();
    this.settleExit({ code: null, signal: 'SIGKILL' });
    await this.exited;
  }

  private requireRun(): ResidentRun {
    if (this.run === null) throw new Error('the command was not handed over yet');
    return this.run;
  }
}

/**
 * Parks a child in `init` inside the run's cgroups: on v2 PID 1 creates it there (CLONE_INTO_CGROUP); otherwise, or when
 * that was not possible, its pid is written into each group's cgroup.procs.
 */
async function parkInto(init: ResidentInit, cgroup: RunCgroup): Promise<void> {
  const { hostPid, placed } = await init.park(cgroup.cloneName);
  if (placed && cgroup.cloneName !== null && isInGroup(hostPid, cgroup.cloneName)) return;
  // Joining cgroups can wait for an RCU grace period: paid here, before any command waits for it.
  for (const file of cgroup.procsFiles) await writeFile(file, String(hostPid));
}

/**
 * Whether /proc says the process is in the v2 group named `name` (the last part of its path); one small read. Any doubt
 * (an unreadable file) answers false, so the caller writes cgroup.procs, which fails loudly if the process is gone.
 */
function isInGroup(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').some((line) => line.startsWith('0::') && line.endsWith(`/${name}`));
  } catch {
    return false;
  }
}

/** The rlimits the parked child sets before it execs the program: the cold path's values, in bytes. */
function jobRlimits(command: SandboxCommand, fallbackRlimits: boolean) {
  const limits = runRlimits(command.limits, fallbackRlimits, 0);
  return {
    cpuSeconds: limits.cpuSeconds,
    fileSizeBytes: limits.fileSizeKiB * 1024,
    openFiles: limits.openFiles,
    stackBytes: limits.stackKiB * 1024,
    addressSpaceBytes: limits.addressSpaceKiB === null ? null : limits.addressSpaceKiB * 1024,
    processes: limits.processes,
  };
}
