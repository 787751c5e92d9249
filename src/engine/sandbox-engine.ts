// The Engine over a Sandbox: look up the normalised request's language, compile once (cached), run the test cases in parallel batches, judge each run.
import type { ExecutionResult, OutputEncoding, StageResult, TestCaseResult } from '../domain/result.js';
import type { ExecutionRequest, TestCase } from '../domain/submission.js';
import type { LanguageStatus } from '../languages/language.js';
import { requireLanguage } from '../languages/lookup.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { Sandbox, SandboxFile, SandboxHealth } from '../sandbox/sandbox.js';
import { CompileStage, type CompileOutcome } from './compile-stage.js';
import type { CompileCacheStats } from './compile-cache.js';
import { decodeOutput } from './decode-output.js';
import type { Engine, ExecuteOptions, InteractiveStart } from './engine.js';
import { judgeRun } from './judge-run.js';
import { mapConcurrent } from './map-concurrent.js';
import { expandCommand } from './placeholders.js';
import { runStageFiles, workDirBytes } from './run-files.js';
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
   * Test cases of one submission running at once.
   * @defaultValue 3
   */
  testCaseBatchSize?: number;
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

/** The request's catalogue entry and entry file; the request was normalised before it reached the engine. */
interface ResolvedRequest {
  language: LanguageStatus;
  entry: string;
}

/** A program ready to run: either a compile failure, or the argv and files of the run stage. */
interface Prepared {
  resolved: ResolvedRequest;
  compile: StageResult | null;
  compileCached: boolean;
  compilerOutput: string;
  failed: boolean;
  runFiles: SandboxFile[];
  argv: string[];
  limits: StageLimits;
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
    this.compiler = new CompileStage(this.sandbox, options.compileCacheBytes ?? 256 * 1024 * 1024, this.logger);
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
    const prepared = await this.prepare(request, resolved, options);
    if (!prepared) return summarize({ compile: null, compileCached: false, compilerOutput: '', testCases: [], expectedRuns: cases.length });
    // One budget for the whole execution; each stage is cut to what is left when it finishes, before it is decoded.
    const budget = new OutputBudget(this.maxOutputBytes, cases.length + (prepared.compile ? 1 : 0));
    const { stage: compile, compilerOutput } = boundCompile(prepared, request.outputEncoding, budget);
    if (prepared.failed) {
      return summarize({ compile, compileCached: prepared.compileCached, compilerOutput, testCases: [], expectedRuns: cases.length });
    }

    const finished = await mapConcurrent(cases, this.batchSize, (testCase, index) => this.runCase(prepared, request, testCase, index, options, budget));
    const testCases = finished.filter((entry): entry is TestCaseResult => entry !== null);
    const result = summarize({ compile, compileCached: prepared.compileCached, compilerOutput: '', testCases, expectedRuns: cases.length });
    if (result.verdict === 'internal_error') logger.warn({ message: result.message }, 'execution ended with internal_error');
    else logger.debug({ verdict: result.verdict, cpuTimeMs: result.cpuTimeMs, memoryKb: result.memoryKb, outputTruncated: budget.truncated }, 'execution finished');
    return result;
  }

  async startInteractive(request: ExecutionRequest, options: ExecuteOptions = {}): Promise<InteractiveStart> {
    const resolved = this.resolve(request);
    const prepared = await this.prepare(request, resolved, options);
    // prepare() already worked the limits out; only an abort before it finished leaves them to compute here.
    const limits = prepared ? prepared.limits.program : runStageLimits(this.limitSettings, resolved.language, request.limits).program;
    const noRun = { compileCached: false, compilerOutput: '', testCases: [], expectedRuns: 1 };
    if (!prepared) return { compileError: null, process: null, limits, outcome: Promise.resolve(summarize({ ...noRun, compile: null })) };
    // The run's output is streamed, never kept; only the compiler's is, within the same budget as a batch execution.
    const { stage: compile, compilerOutput } = boundCompile(prepared, request.outputEncoding, new OutputBudget(this.maxOutputBytes, 1));
    if (prepared.failed) {
      const outcome = summarize({ ...noRun, compile, compileCached: prepared.compileCached, compilerOutput });
      return { compileError: compile, process: null, limits, outcome: Promise.resolve(outcome) };
    }
    const process = await this.sandbox.start({
      argv: prepared.argv, env: resolved.language.env ?? {}, limits: prepared.limits.sandbox, files: prepared.runFiles,
      ...(options.signal ? { signal: options.signal } : {}), label: `${options.executionId ?? 'interactive'}:run`,
    });
    const outcome = process.result.then((run) => {
      const base = { compile, compileCached: prepared.compileCached, compilerOutput: '', expectedRuns: 1 };
      if (run.aborted) return summarize({ ...base, testCases: [] });
      const judgement = judgeRun(run, { limits, expectedOutput: null, compareMode: request.compareMode, outOfMemoryPattern: resolved.language.outOfMemoryPattern });
      // The output was streamed to the client as it came; the result carries only the verdict and figures.
      const streamed = { ...run, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
      return summarize({ ...base, testCases: [{ ...stageResult(streamed, judgement, request.outputEncoding), index: 0, expectedOutput: null }] });
    });
    // A caller that never looks at the outcome must not cause an unhandled rejection on a sandbox fault.
    outcome.catch(() => undefined);
    return { compileError: null, process, limits, outcome };
  }

  /** Looks up what a normalised request names; the rules were checked once, by the normaliser. */
  private resolve(request: ExecutionRequest): ResolvedRequest {
    return { language: requireLanguage(this.statuses, request.language), entry: request.entry ?? request.files[0]!.name };
  }

  /** Compiles when the language needs it; null when the caller aborted while waiting for the compile. */
  private async prepare(request: ExecutionRequest, resolved: ResolvedRequest, options: ExecuteOptions): Promise<Prepared | null> {
    const { language, entry } = resolved;
    const sources: SandboxFile[] = request.files.map((file) => ({ path: file.name, content: Buffer.from(file.content) }));
    const limits = runStageLimits(this.limitSettings, language, request.limits);
    const sourceNames = sources.map((file) => file.path).filter((path) => language.extensions.some((extension) => path.toLowerCase().endsWith(extension)));
    const argv = [...expandCommand(language.run, { entry, sources: sourceNames, memoryMb: limits.program.memoryMb }), ...request.args];
    const base = { resolved, argv, limits };
    if (!language.compile) return { ...base, compile: null, compileCached: false, compilerOutput: '', failed: false, runFiles: sources };

    options.onEvent?.({ type: 'compile-started' });
    const compileLimits = compileStageLimits(this.limitSettings, language);
    const label = `${options.executionId ?? 'execution'}:compile`;
    const compiled = await untilAborted(this.compiler.compile({ language, entry, files: sources, sources: sourceNames, limits: compileLimits, label }), options.signal);
    if (!compiled) return null;
    const runFiles = runStageFiles(sources, compiled.outcome.artifacts);
    const compile = withRunFilesChecked(compileResult(compiled.outcome, request.outputEncoding), runFiles, limits.sandbox.workDirMb);
    options.onEvent?.({ type: 'compile-finished', cached: compiled.cached, result: compile });
    const failed = compile.verdict !== 'accepted';
    const { record } = compiled.outcome;
    const compilerOutput = failed ? decodeOutput(Buffer.concat([record.stdout, record.stderr]), request.outputEncoding).text : '';
    return { ...base, compile, compileCached: compiled.cached, compilerOutput, failed, runFiles };
  }

  /** One run of the program; null when it was stopped by the caller rather than finished. */
  private async runCase(prepared: Prepared, request: ExecutionRequest, testCase: TestCase, index: number, options: ExecuteOptions, budget: OutputBudget): Promise<TestCaseResult | null> {
    if (options.signal?.aborted) return null;
    const { language } = prepared.resolved;
    const run = await this.sandbox.run({
      argv: prepared.argv, env: language.env ?? {}, limits: prepared.limits.sandbox, files: prepared.runFiles, stdin: testCase.stdin,
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

/** A compiled program that cannot even be written into the run's work dir is the submission's fault: a compile verdict. */
function withRunFilesChecked(compile: StageResult, runFiles: readonly SandboxFile[], workDirMb: number): StageResult {
  if (compile.verdict !== 'accepted') return compile;
  const bytes = workDirBytes(runFiles);
  if (bytes <= workDirMb * 1024 * 1024) return compile;
  const size = (bytes / (1024 * 1024)).toFixed(1);
  const message = `the compiled program and its files (${size} MB) are larger than the run's work dir (${workDirMb} MB); make the program smaller or ask for a larger workDirMb`;
  return { ...compile, verdict: 'compilation_error', message };
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

