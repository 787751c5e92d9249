// BwrapSandbox: the Sandbox implementation — bubblewrap namespaces, cgroup limits, a private tmpfs work dir, warm prologues.
import { rmdir } from 'node:fs/promises';
import type { Logger } from '../../logging/logger.js';
import { AppError, SANDBOX_ERRORS } from '../../errors/index.js';
import type { Sandbox, SandboxCapabilities, SandboxHealth, SandboxProcess, SandboxRunResult, SandboxRunSpec } from '../sandbox.js';
import { removeHostLayout } from './host-layout.js';
import { startRun, type RunContext, type SandboxRun } from './run/sandbox-run.js';

/** Runs programs with bwrap; built by `createBwrapSandbox`, which detects the host and prepares `context`. */
export class BwrapSandbox implements Sandbox {
  private readonly live = new Set<SandboxRun>();
  /** Runs being prepared (not yet handed over), so close() can wait for them to become killable. */
  private readonly starting = new Set<Promise<unknown>>();
  private closed = false;
  private readonly context: RunContext;

  constructor(
    readonly capabilities: SandboxCapabilities,
    context: Omit<RunContext, 'onCreated' | 'onSettled'>,
    private readonly logger: Logger,
  ) {
    this.context = { ...context, onCreated: (run) => this.live.add(run), onSettled: (run) => this.live.delete(run) };
  }

  health(): SandboxHealth {
    return this.context.pool.health();
  }

  async run(spec: SandboxRunSpec): Promise<SandboxRunResult> {
    const process = await this.startTracked(spec);
    // Batch runs get their whole stdin at once, then EOF, so a program reading to the end terminates.
    process.stdin.end(spec.stdin ?? '');
    // Nobody reads the live copies in a batch run; the result carries the same bytes.
    process.stdout.resume();
    process.stderr.resume();
    return process.result;
  }

  async start(spec: SandboxRunSpec): Promise<SandboxProcess> {
    const process = await this.startTracked(spec);
    if (spec.stdin !== undefined && spec.stdin.length > 0) process.stdin.write(spec.stdin);
    return process;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting]);
    const runs = [...this.live];
    if (runs.length > 0) this.logger.info({ runs: runs.length }, 'sandbox closing: killing live runs');
    for (const run of runs) run.kill();
    await Promise.allSettled(runs.map((run) => run.result));
    await this.context.pool.close();
    await removeHostLayout(this.context.layout);
    await rmdir(this.context.runsDir).catch((error: unknown) => this.logger.warn({ err: error }, 'sandbox: run dir not removed'));
    await this.context.driver.dispose();
  }

  /** Resolves once no waiting prologue is being prepared in the background (tests count cgroups after it). */
  async settled(): Promise<void> {
    await this.context.pool.settled();
  }

  private async startTracked(spec: SandboxRunSpec): Promise<SandboxRun> {
    if (this.closed) throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox is closed');
    const starting = startRun(this.context, spec);
    this.starting.add(starting);
    try {
      return await starting;
    } finally {
      this.starting.delete(starting);
    }
  }
}
