// The Engine over a Sandbox: look up the normalised request's language, compile once in a workspace (cached), run the test cases where the program was built, judge each run.
import type { ExecutionResult, OutputEncoding, StageResult, TestCaseResult } from '../domain/result.js';
import type { ExecutionRequest, SourceFile, TestCase } from '../domain/submission.js';
import type { LanguageStatus } from '../languages/language.js';
import { requireLanguage } from '../languages/lookup.js';
import { resolveProgramEntry } from '../languages/program-entry.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Sandbox, SandboxFile, SandboxHealth, Workspace } from '../sandbox/sandbox.js';
import { SANDBOX_ERRORS, isAppError } from '../errors/index.js';
import { ArtifactStore } from './artifact-store.js';
import { CompileStage, type CompileAnswer, type CompileInput, type CompileOutcome } from './compile-stage.js';
import type { CompileCacheStats } from './compile-cache.js';
import { decodeOutput } from './decode-output.js';
import type { Engine, ExecuteOptions, InteractiveStart } from './engine.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeRun } from './judge-run.js';
import { expandCommand } from './placeholders.js';
import { runStageFiles } from './run-files.js';
import { compileStageLimits, runStageLimits, type LimitSettings, type StageLimits } from './stage-limits.js';
import { OutputBudget } from './output-budget.js';
import { boundStage, joinCompilerOutput, stageResult, summarize } from './stage-result.js';

export interface SandboxEngineOptions {
  sandbox: Sandbox;
  /** The catalogue with what this node detected (see languages/detect.ts). */
  languages: LanguageStatus[];
  /** The `limits` section of the config: run and compile defaults, and the maxima a request may ask for. */
  limits: LimitSettings;
  /**
   * Test cases of one submission running at once: each lane is a workspace holding the program (the compile's own,
   * others filled from the compile cache) and runs its share of the test cases one after another.
   * @defaultValue 3
   */
  testCaseBatchSize?: number;
  /**
   * Directory under which the compile cache keeps artifacts on disk (a directory per process inside it).
   * @defaultValue `runlane-artifacts` in the OS temporary directory
   */
  artifactDir?: string;
  /**
   * Size bound of the compile cache, bytes.
   * @defaultValue 268435456 (256 MiB)
   */
  compileCacheBytes?: number;
  /**
   * Output one execution keeps, bytes: stdout + stderr of every run plus the compiler's (`limits.maxSubmissionOutputBytes`).
   * @defaultValue 16777216 (16 MiB)
   */
  maxSubmissionOutputBytes?: number;
  /** @defaultValue a silent logger */
  logger?: Logger;
}

/**
 * The request's catalogue entry, its files as the compile sees them (a Java file is named after its public class) and
 * where the program starts; the request was normalised before it reached the engine.
 */
interface ResolvedRequest {
  language: LanguageStatus;
  files: SourceFile[];
  entry: string;
  /** The class the runtime starts, for languages that detect one (`{mainClass}`). */
  mainClass: string | null;
  /** Why the program cannot start although it may compile (no main class): reported as a compilation error. */
  entryProblem: string | null;
}

/** A program ready to run: either a compile failure, or a workspace holding it and how to fill more. */
interface Prepared {
  resolved: ResolvedRequest;
  compile: StageResult | null;
  compileCached: boolean;
  compilerOutput: string;
  failed: boolean;
  argv: string[];
  limits: StageLimits;
  /** The workspace holding the program, ready for its first run; null when the compile failed. The caller destroys it. */
  workspace: Workspace | null;
  /** Makes another workspace holding the same program (a parallel lane); null when only `workspace` can run it. */
  another: ((commands: number) => Promise<Workspace>) | null;
}

/** Stops waiting (not the shared work) when the caller aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}

export class SandboxEngine implements Engine {
  private readonly sandbox: Sandbox;
  private readonly statuses: LanguageStatus[];
  private readonly limitSettings: LimitSettings;
  private readonly batchSize: number;
  private readonly maxOutputBytes: number;
  private readonly logger: Logger;
  private readonly compiler: CompileStage;

  constructor(options: SandboxEngineOptions) {
    this.sandbox = options.sandbox;
    this.statuses = options.languages;
    this.limitSettings = options.limits;
    this.batchSize = options.testCaseBatchSize ?? 3;
    this.maxOutputBytes = options.maxSubmissionOutputBytes ?? 16 * 1024 * 1024;
    this.logger = options.logger ?? silentLogger();
    const store = ArtifactStore.open(options.artifactDir ?? join(tmpdir(), 'runlane-artifacts'));
    this.compiler = new CompileStage(store, options.compileCacheBytes ?? 256 * 1024 * 1024, this.logger);
  }

  languages(): LanguageStatus[] {
    return this.statuses;
  }

  sandboxHealth(): SandboxHealth {
    return this.sandbox.health();
  }

  /** Figures of the compile cache (hits, in-flight joins, misses, bytes), for metrics and tests. */
  compileCacheStats(): CompileCacheStats {
    return this.compiler.cache.stats();
  }

  async execute(request: ExecutionRequest, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    const resolved = this.resolve(request);
    const logger = this.logger.child({ executionId: options.executionId, correlationId: options.correlationId, language: resolved.language.id });
    const cases: TestCase[] = request.testCases.length > 0 ? request.testCases : [{ stdin: request.stdin, expectedOutput: null }];
    const lanes = Math.max(1, Math.min(this.batchSize, cases.length));
    const prepared = await this.prepare(request, resolved, options, Math.ceil(cases.length / lanes));
    if (!prepared) return summarize({ compile: null, compileCached: false, compilerOutput: '', testCases: [], expectedRuns: cases.length, toolchainVersion: resolved.language.version });
    const workspaces = prepared.workspace ? [prepared.workspace] : [];
    try {
      // One budget for the whole execution; each stage is cut to what is left when it finishes, before it is decoded.
      const budget = new OutputBudget(this.maxOutputBytes, cases.length + (prepared.compile ? 1 : 0));
      const { stage: compile, compilerOutput } = boundCompile(prepared, request.outputEncoding, budget);
      if (prepared.failed || !prepared.workspace) {
        return summarize({ compile, compileCached: prepared.compileCached, compilerOutput, testCases: [], expectedRuns: cases.length, toolchainVersion: resolved.language.version });
      }
      const finished: (TestCaseResult | null)[] = new Array(cases.length).fill(null);
      let next = 0;
      // Each lane runs its share one after another in one workspace, where the program already is.
      const lane = async (workspace: Workspace) => {
        for (let index = next++; index < cases.length; index = next++) {
          finished[index] = await this.runCase(workspace, prepared, request, cases[index]!, index, options, budget);
        }
      };
      const laneCount = prepared.another ? lanes : 1;
      const perLane = Math.ceil(cases.length / laneCount);
      await Promise.all(
        Array.from({ length: laneCount }, async (_, laneIndex) => {
          if (laneIndex === 0) return lane(prepared.workspace!);
          let workspace: Workspace;
          try {
            workspace = await prepared.another!(perLane);
          } catch (error) {
            // Every slot in use: the lanes that exist take this one's share (the first lane always exists).
            if (isAppError(error) && error.code === SANDBOX_ERRORS.busy.code) return;
            throw error;
          }
          workspaces.push(workspace);
          return lane(workspace);
        }),
      );
      const testCases = finished.filter((entry): entry is TestCaseResult => entry !== null);
      const result = summarize({ compile, compileCached: prepared.compileCached, compilerOutput: '', testCases, expectedRuns: cases.length, toolchainVersion: resolved.language.version });
      if (result.verdict === 'internal_error') logger.warn({ message: result.message }, 'execution ended with internal_error');
      else logger.debug({ verdict: result.verdict, cpuTimeMs: result.cpuTimeMs, memoryKb: result.memoryKb, outputTruncated: budget.truncated }, 'execution finished');
      return result;
    } finally {
      await Promise.all(workspaces.map((workspace) => workspace.destroy()));
    }
  }

  async startInteractive(request: ExecutionRequest, options: ExecuteOptions = {}): Promise<InteractiveStart> {
    const resolved = this.resolve(request);
    const prepared = await this.prepare(request, resolved, options, 1);
    // prepare() already worked the limits out; only an abort before it finished leaves them to compute here.
    const limits = prepared ? prepared.limits.program : runStageLimits(this.limitSettings, resolved.language, request.limits).program;
    const noRun = { compileCached: false, compilerOutput: '', testCases: [], expectedRuns: 1, toolchainVersion: resolved.language.version };
    if (!prepared) return { compileError: null, process: null, limits, outcome: Promise.resolve(summarize({ ...noRun, compile: null })) };
    const workspace = prepared.workspace;
    // The run's output is streamed, never kept; only the compiler's is, within the same budget as a batch execution.
    const { stage: compile, compilerOutput } = boundCompile(prepared, request.outputEncoding, new OutputBudget(this.maxOutputBytes, 1));
    if (prepared.failed || !workspace) {
      await workspace?.destroy();
      const outcome = summarize({ ...noRun, compile, compileCached: prepared.compileCached, compilerOutput });
      return { compileError: compile, process: null, limits, outcome: Promise.resolve(outcome) };
    }
    let process;
    try {
      process = await workspace.start({
        argv: prepared.argv, env: resolved.language.env ?? {}, limits: prepared.limits.sandbox,
        ...(options.signal ? { signal: options.signal } : {}), label: `${options.executionId ?? 'interactive'}:run`,
      });
    } catch (error) {
      await workspace.destroy();
      throw error;
    }
    const outcome = process.result
      .then((run) => {
        const base = { compile, compileCached: prepared.compileCached, compilerOutput: '', expectedRuns: 1, toolchainVersion: resolved.language.version };
        if (run.aborted) return summarize({ ...base, testCases: [] });
        const judgement = judgeRun(run, { limits, expectedOutput: null, compareMode: request.compareMode, outOfMemoryPattern: resolved.language.outOfMemoryPattern });
        // The output was streamed to the client as it came; the result carries only the verdict and figures.
        const streamed = { ...run, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
        return summarize({ ...base, testCases: [{ ...stageResult(streamed, judgement, request.outputEncoding), index: 0, expectedOutput: null }] });
      })
      .finally(() => workspace.destroy());
    // A caller that never looks at the outcome must not cause an unhandled rejection on a sandbox fault.
    outcome.catch(() => undefined);
    return { compileError: null, process, limits, outcome };
  }

  /** Looks up what a normalised request names; the rules were checked once, by the normaliser. */
  private resolve(request: ExecutionRequest): ResolvedRequest {
    const language = requireLanguage(this.statuses, request.language);
    const found = resolveProgramEntry(language, request.files, request.entry ?? request.files[0]!.name);
    return { language, files: found.files, entry: found.entry, mainClass: found.mainClass, entryProblem: found.problem };
  }

  /**
   * Puts the program into a workspace: the sources for an interpreted language, else the compile's (or, on a cache hit,
   * the sources with the cached artifacts copied in). Null when the caller aborted while waiting for the compile.
   * `commands` is how many runs the first workspace will see.
   */
  private async prepare(request: ExecutionRequest, resolved: ResolvedRequest, options: ExecuteOptions, commands: number): Promise<Prepared | null> {
    const { language, entry } = resolved;
    const sources: SandboxFile[] = resolved.files.map((file) => ({ path: file.name, content: Buffer.from(file.content) }));
    const limits = runStageLimits(this.limitSettings, language, request.limits);
    const sourceNames = sources.map((file) => file.path).filter((path) => language.extensions.some((extension) => path.toLowerCase().endsWith(extension)));
    const argv = [...expandCommand(language.run, { entry, sources: sourceNames, memoryMb: limits.program.memoryMb, mainClass: resolved.mainClass }), ...request.args];
    const base = { resolved, argv, limits };
    const label = options.executionId ?? 'execution';
    if (!language.compile) {
      const filled = (count: number) => this.filledWorkspace(limits.sandbox.workDirMb, count, label, (workspace) => workspace.writeFiles(sources));
      return { ...base, compile: null, compileCached: false, compilerOutput: '', failed: false, workspace: await filled(commands), another: filled };
    }

    options.onEvent?.({ type: 'compile-started' });
    const compileLimits = compileStageLimits(this.limitSettings, language);
    // Room for the compile and for the runs: each command resizes the work dir to its own limit.
    const workDirMb = Math.max(compileLimits.sandbox.workDirMb, limits.sandbox.workDirMb);
    const input: CompileInput = {
      language, entry, files: sources, sources: sourceNames, limits: compileLimits, label: `${label}:compile`,
      workspace: () => this.sandbox.createWorkspace({ workDirMb, commands: 1 + commands, label }),
    };
    const compiling = this.compiler.compile(input);
    const answer = await untilAborted(compiling, options.signal);
    if (!answer) {
      // The compile goes on for whoever shares it; the workspace it leaves for this caller is not needed any more.
      void compiling.then((late) => late.workspace?.destroy(), () => undefined);
      return null;
    }
    const ready = await this.programWorkspace(answer, input, workDirMb, commands, label);
    const compiled = ready.answer;
    const used = ready.workspace ? await ready.workspace.usedBytes().catch(async (error: unknown) => (await ready.workspace!.destroy(), Promise.reject(error))) : 0;
    const compile = withEntryChecked(withRunFilesChecked(compileResult(compiled.outcome, request.outputEncoding), used, limits.sandbox.workDirMb), resolved.entryProblem);
    options.onEvent?.({ type: 'compile-finished', cached: compiled.cached, result: compile });
    const failed = compile.verdict !== 'accepted';
    const { record } = compiled.outcome;
    const compilerOutput = failed ? decodeOutput(Buffer.concat([record.stdout, record.stderr]), request.outputEncoding).text : '';
    if (failed) await ready.workspace?.destroy();
    return { ...base, compile, compileCached: compiled.cached, compilerOutput, failed, workspace: failed ? null : ready.workspace, another: failed ? null : ready.another };
  }

  /**
   * The workspace holding the compiled program: the compile's own, or a fresh one filled from the cache entry (compiling
   * afresh when the entry vanished meanwhile). Null for a failed compile.
   */
  private async programWorkspace(
    answer: CompileAnswer,
    input: CompileInput,
    workDirMb: number,
    commands: number,
    label: string,
  ): Promise<{ answer: CompileAnswer; workspace: Workspace | null; another: Prepared['another'] }> {
    const { artifacts } = answer.outcome;
    const fill = artifacts
      ? async (workspace: Workspace) => {
          // The inputs the compile did not replace, then what it produced: the work dir as the compile left it.
          await workspace.writeFiles(runStageFiles(answer.inputs, artifacts.paths));
          await workspace.importFiles(artifacts.dir, artifacts.paths);
        }
      : null;
    const another = fill ? (count: number) => this.filledWorkspace(workDirMb, count, label, fill) : null;
    if (answer.workspace || answer.outcome.judgement.verdict !== 'accepted') return { answer, workspace: answer.workspace, another };
    try {
      return { answer, workspace: await another!(commands), another };
    } catch (error) {
      this.logger.debug({ err: error }, 'cached compile could not be copied; compiling again');
      const fresh = await this.compiler.compileFresh(input);
      return { answer: fresh, workspace: fresh.workspace, another: null };
    }
  }

  /** A fresh workspace filled by `fill`, destroyed again when filling fails. */
  private async filledWorkspace(workDirMb: number, commands: number, label: string, fill: (workspace: Workspace) => Promise<void>): Promise<Workspace> {
    const workspace = await this.sandbox.createWorkspace({ workDirMb, commands, label });
    try {
      await fill(workspace);
      return workspace;
    } catch (error) {
      await workspace.destroy();
      throw error;
    }
  }

  /** One run of the program in a workspace holding it; null when it was stopped by the caller rather than finished. */
  private async runCase(workspace: Workspace, prepared: Prepared, request: ExecutionRequest, testCase: TestCase, index: number, options: ExecuteOptions, budget: OutputBudget): Promise<TestCaseResult | null> {
    if (options.signal?.aborted) return null;
    const { language } = prepared.resolved;
    const run = await workspace.run({
      argv: prepared.argv, env: language.env ?? {}, limits: prepared.limits.sandbox, stdin: testCase.stdin,
      ...(options.signal ? { signal: options.signal } : {}), label: `${options.executionId ?? 'execution'}:run-${index}`,
    });
    if (run.aborted) return null;
    const expectedOutput = testCase.expectedOutput ?? null;
    const judgement = judgeRun(run, { limits: prepared.limits.program, expectedOutput, compareMode: request.compareMode, outOfMemoryPattern: language.outOfMemoryPattern });
    // The judgement saw all of the output; only what fits the execution's budget is decoded and kept.
    const result: TestCaseResult = { ...stageResult(run, judgement, request.outputEncoding, budget), index, expectedOutput };
    options.onEvent?.({ type: 'test-case-finished', index, verdict: result.verdict });
    return result;
  }
}

function compileResult(outcome: CompileOutcome, encoding: OutputEncoding): StageResult {
  return stageResult(outcome.record, outcome.judgement, encoding);
}

/** A compiled program (with its files) larger than the run's work dir is the submission's fault: a compile verdict. */
function withRunFilesChecked(compile: StageResult, bytes: number, workDirMb: number): StageResult {
  if (compile.verdict !== 'accepted') return compile;
  if (bytes <= workDirMb * 1024 * 1024) return compile;
  const size = (bytes / (1024 * 1024)).toFixed(1);
  const message = `the compiled program and its files (${size} MB) are larger than the run's work dir (${workDirMb} MB); make the program smaller or ask for a larger workDirMb`;
  return { ...compile, verdict: 'compilation_error', message };
}

/** A program that compiled but has nowhere to start (no main class) is a compilation error the client can fix. */
function withEntryChecked(compile: StageResult, problem: string | null): StageResult {
  if (compile.verdict !== 'accepted' || problem === null) return compile;
  return { ...compile, verdict: 'compilation_error', message: problem };
}

/**
 * The compile stage cut to the output budget, and a failed compile's messages as the top-level stderr shows them
 * (unchanged when nothing was cut, else rebuilt from the cut stage so they never exceed it).
 */
function boundCompile(prepared: Prepared, encoding: OutputEncoding, budget: OutputBudget): { stage: StageResult | null; compilerOutput: string } {
  if (!prepared.compile) return { stage: null, compilerOutput: '' };
  const stage = boundStage(prepared.compile, encoding, budget);
  if (!prepared.failed) return { stage, compilerOutput: '' };
  const cut = stage.stdoutTruncated === true || stage.stderrTruncated === true;
  return { stage, compilerOutput: cut ? joinCompilerOutput(stage, encoding) : prepared.compilerOutput };
}

