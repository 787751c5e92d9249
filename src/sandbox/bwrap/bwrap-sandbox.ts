// BwrapSandbox: the Sandbox implementation — bubblewrap namespaces, cgroup limits, a private tmpfs work dir, warm prologues.
import { rmdir } from 'node:fs/promises';
import type { Logger } from '../../logging/logger.js';
import { AppError, SANDBOX_ERRORS } from '../../errors/index.js';
import type {
  Sandbox, SandboxCapabilities, SandboxHealth, SandboxProcess, SandboxRunResult, SandboxRunSpec, ToolchainProbe, ToolchainReport, Workspace, WorkspaceOptions,
} from '../sandbox.js';
import { BwrapWorkspace } from './bwrap-workspace.js';
import { removeHostLayout } from './host-layout.js';
import { probeToolchains } from './probe-toolchains.js';
import type { RunContext, SandboxRun } from './run/sandbox-run.js';

/** Runs programs with bwrap; built by `createBwrapSandbox`, which detects the host and prepares `context`. */
export class BwrapSandbox implements Sandbox {
  private readonly live = new Set<SandboxRun>();
  private readonly workspaces = new Set<BwrapWorkspace>();
  /** Workspaces being created (a slot not yet handed over), so close() can wait for them to become destroyable. */
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

  async createWorkspace(options: WorkspaceOptions): Promise<Workspace> {
    if (this.closed) throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox is closed');
    const acquiring = this.context.pool.acquire(options.workDirMb);
    this.starting.add(acquiring);
    let warm;
    try {
      warm = await acquiring;
    } finally {
      this.starting.delete(acquiring);
    }
    const logger = options.label ? this.logger.child({ workspace: options.label }) : this.logger;
    const workspace: BwrapWorkspace = new BwrapWorkspace(this.context, warm.slot, warm, Math.max(1, options.commands ?? 1), logger, () => this.workspaces.delete(workspace));
    this.workspaces.add(workspace);
    if (this.closed) {
      await workspace.destroy();
      throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox is closed');
    }
    return workspace;
  }

  async run(spec: SandboxRunSpec): Promise<SandboxRunResult> {
    const workspace = await this.createWorkspace({ workDirMb: spec.limits.workDirMb, ...(spec.label ? { label: spec.label } : {}) });
    try {
      await workspace.writeFiles(spec.files ?? []);
      return await workspace.run(spec);
    } finally {
      await workspace.destroy();
    }
  }

  async start(spec: SandboxRunSpec): Promise<SandboxProcess> {
    const workspace = await this.createWorkspace({ workDirMb: spec.limits.workDirMb, ...(spec.label ? { label: spec.label } : {}) });
    let process: SandboxProcess;
    try {
      await workspace.writeFiles(spec.files ?? []);
      process = await workspace.start(spec);
    } catch (error) {
      await workspace.destroy();
      throw error;
    }
    // The slot is reset before the result is reported, as for a batch run.
    const result = process.result.finally(() => workspace.destroy());
    result.catch(() => undefined);
    return {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: (name) => process.signal(name),
      kill: () => process.kill(),
      result,
    };
  }

  detectToolchains(probes: readonly ToolchainProbe[]): Promise<ToolchainReport[]> {
    return probeToolchains(this, probes);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting]);
    const runs = [...this.live];
    if (runs.length > 0) this.logger.info({ runs: runs.length }, 'sandbox closing: killing live runs');
    for (const run of runs) run.kill();
    await Promise.allSettled(runs.map((run) => run.result));
    await Promise.allSettled([...this.workspaces].map((workspace) => workspace.destroy()));
    await this.context.pool.close();
    await removeHostLayout(this.context.layout);
    await rmdir(this.context.runsDir).catch((error: unknown) => this.logger.warn({ err: error }, 'sandbox: run dir not removed'));
    await this.context.driver.dispose();
  }

  /** Resolves once no waiting prologue is being prepared in the background (tests count cgroups after it). */
  async settled(): Promise<void> {
    await this.context.pool.settled();
  }
}
