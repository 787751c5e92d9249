// BwrapWorkspace: one pool slot (uid + tmpfs work dir) held across several commands, each a fresh bwrap process tree.
import type { Logger } from '../../logging/logger.js';
import { AppError, SANDBOX_ERRORS, isAppError } from '../../errors/index.js';
import type { ExportOptions, SandboxCommand, SandboxFile, SandboxProcess, SandboxRunResult, Workspace } from '../sandbox.js';
import { isWorkDirFull } from '../work-dir.js';
import type { WarmRunner } from './pool/warm-runner.js';
import type { Slot } from './pool/slot.js';
import { startCommand, type RunContext, type SandboxRun } from './run/sandbox-run.js';
import { validateCommand, validateFiles } from './run/validate-spec.js';

/**
 * Holds its slot from creation to `destroy()`: commands run one at a time, each with a prologue of its own in a fresh
 * cgroup (the first one warm from the pool; the next one prepared while a command runs, when more are expected).
 * The slot goes back to the pool only through `RunnerPool.recycle` (reset and verified empty, or retired).
 */
export class BwrapWorkspace implements Workspace {
  /** The prologue the next command will use, or its preparation. */
  private next: Promise<WarmRunner> | null;
  /** The command in progress: its run once started, and whether its teardown already ended it. */
  private current: { run: SandboxRun | null } | null = null;
  private commandsRun = 0;
  /** Set once the slot was retired (processes that would not die): nothing may run in it again. */
  private broken = false;
  /** A command ran since /tmp and /dev/shm were last emptied: the next command empties them before it starts. */
  private scratchUsed = false;
  private destroyed: Promise<void> | null = null;

  constructor(
    private readonly ctx: RunContext,
    private readonly slot: Slot,
    first: WarmRunner,
    private readonly expectedCommands: number,
    private readonly logger: Logger,
    private readonly onDestroyed: () => void,
  ) {
    this.next = Promise.resolve(first);
  }

  async writeFiles(files: readonly SandboxFile[]): Promise<void> {
    this.assertWritable();
    validateFiles(files);
    try {
      await this.slot.workDir.writeFiles(files);
    } catch (error) {
      throw this.writeError(error);
    }
  }

  async importFiles(sourceDir: string, paths: readonly string[]): Promise<void> {
    this.assertWritable();
    validateFiles(paths.map((path) => ({ path })));
    try {
      await this.slot.workDir.importFiles(sourceDir, paths);
    } catch (error) {
      throw this.writeError(error);
    }
  }

  async exportFiles(targetDir: string, options: ExportOptions): Promise<string[]> {
    this.assertUsable();
    if (this.current) throw new AppError(SANDBOX_ERRORS.badSpec, 'files are exported between commands, not while one runs');
    await this.clearScratch();
    return this.slot.workDir.exportFiles(targetDir, options);
  }

  async keepRegularFiles(): Promise<void> {
    this.assertUsable();
    if (this.current) throw new AppError(SANDBOX_ERRORS.badSpec, 'a workspace is pruned between commands, not while one runs');
    await this.clearScratch();
    await this.slot.workDir.pruneBox();
  }

  async usedBytes(): Promise<number> {
    this.assertUsable();
    // What a finished command left in scratch space is not the workspace's: it counts only once emptied.
    if (!this.current) await this.clearScratch();
    return this.slot.workDir.usedBytes();
  }

  async run(command: SandboxCommand): Promise<SandboxRunResult> {
    const process = await this.begin(command);
    // Batch runs get their whole stdin at once, then EOF, so a program reading to the end terminates.
    process.stdin.end(command.stdin ?? '');
    // Nobody reads the live copies in a batch run; the result carries the same bytes.
    process.stdout.resume();
    process.stderr.resume();
    return process.result;
  }

  async start(command: SandboxCommand): Promise<SandboxProcess> {
    const run = await this.begin(command);
    if (command.stdin !== undefined && command.stdin.length > 0) run.stdin.write(command.stdin);
    return run;
  }

  /** Starts a command; its stdin is left to the caller. */
  private async begin(command: SandboxCommand): Promise<SandboxRun> {
    this.assertUsable();
    if (this.current) throw new AppError(SANDBOX_ERRORS.badSpec, 'a workspace runs one command at a time; wait for the previous result');
    validateCommand(command, this.ctx.layout);
    await this.clearScratch();
    const prepared = this.next ?? this.ctx.pool.prologueOn(this.slot);
    this.next = null;
    const warm = await prepared;
    this.commandsRun++;
    const current: { run: SandboxRun | null } = { run: null };
    this.current = current;
    let run: SandboxRun;
    try {
      run = await startCommand(this.ctx, command, warm, {
        started: () => this.prepareNext(),
        setupFailed: (failed) => this.discard(failed),
        // A fast program may end before `startCommand` returns: the command is over once its teardown is.
        ended: (slotRetired) => this.commandEnded(current, slotRetired),
      });
    } catch (error) {
      if (this.current === current) this.current = null;
      throw error;
    }
    current.run = run;
    return run;
  }

  destroy(): Promise<void> {
    this.destroyed ??= this.tearDown();
    return this.destroyed;
  }

  private async tearDown(): Promise<void> {
    try {
      const run = this.current?.run;
      if (run) {
        run.kill();
        await run.result.catch(() => undefined);
      }
      const next = this.next;
      this.next = null;
      if (next) {
        const warm = await next.catch(() => null);
        if (warm) await this.discard(warm);
      }
      // Emptied and verified empty before any other workspace gets the slot, or retired (a no-op when already retired).
      if (this.ctx.pool.holds(this.slot)) await this.ctx.pool.recycle(this.slot);
    } catch (error) {
      this.logger.error({ err: error, uid: this.slot.uid }, 'SANDBOX: a workspace could not be destroyed cleanly');
      await this.ctx.pool.retireSlot(this.slot, error, true).catch(() => undefined);
    } finally {
      this.onDestroyed();
    }
  }

  /** Starts the next command's prologue while this one runs, so it waits in its cgroup when the command ends. */
  private prepareNext(): void {
    if (this.next || this.destroyed || this.commandsRun >= this.expectedCommands) return;
    const next = this.ctx.pool.prologueOn(this.slot);
    // A failure surfaces when the next command takes it (or is logged away by destroy()).
    next.catch(() => undefined);
    this.next = next;
  }

  private async commandEnded(current: { run: SandboxRun | null }, slotRetired: boolean): Promise<void> {
    if (this.current === current) this.current = null;
    if (slotRetired) this.broken = true;
    else this.scratchUsed = true;
  }

  /**
   * Scratch space is each command's own; what the next command should see is in /box. Emptied when a next command comes
   * rather than when one ends: a single run's slot is emptied whole by its reset anyway, so it pays this only once.
   */
  private async clearScratch(): Promise<void> {
    if (!this.scratchUsed) return;
    try {
      await this.slot.workDir.clearScratch();
      this.scratchUsed = false;
    } catch (error) {
      this.broken = true;
      await this.ctx.pool.retireSlot(this.slot, error, false);
      throw new AppError(SANDBOX_ERRORS.teardownFailed, 'the sandbox could not clean up after the previous command', { cause: error });
    }
  }

  /** Ends a prologue that never ran a program; the slot is retired when its cgroup cannot be removed. */
  private async discard(warm: WarmRunner): Promise<void> {
    await warm.slot.workDir.discardArgv().catch(() => undefined);
    if (!(await this.ctx.pool.discardPrologue(warm))) this.broken = true;
  }

  private assertUsable(): void {
    if (this.destroyed) throw new AppError(SANDBOX_ERRORS.badSpec, 'the workspace was destroyed');
    if (this.broken) throw new AppError(SANDBOX_ERRORS.teardownFailed, 'the sandbox could not clean up after the previous command');
  }

  private assertWritable(): void {
    this.assertUsable();
    // A command may have left links or folders in /box; a write from outside must never follow them.
    if (this.commandsRun > 0) throw new AppError(SANDBOX_ERRORS.badSpec, 'files are written into a workspace before its first command');
  }

  private writeError(error: unknown): AppError {
    if (isAppError(error)) return error;
    if (isWorkDirFull(error)) {
      return new AppError(SANDBOX_ERRORS.workDirFull, `the files do not fit in the work dir of ${this.slot.workDir.sizeMb} MB`, { cause: error });
    }
    this.logger.error({ err: error }, 'SANDBOX: files could not be written into a workspace');
    return new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox could not prepare the run', { cause: error });
  }
}
