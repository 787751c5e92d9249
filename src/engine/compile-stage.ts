// The compile stage: compiles in a workspace once per distinct program; the cache keeps what the compile produced on disk.
import type { Logger } from '../logging/logger.js';
import type { LanguageStatus } from '../languages/language.js';
import type { SandboxFile, Workspace } from '../sandbox/sandbox.js';
import type { ArtifactStore } from './artifact-store.js';
import { CompileCache } from './compile-cache.js';
import { compileKey } from './compile-key.js';
import { judgeCompile, type Judgement } from './judge-run.js';
import { expandCommand } from './placeholders.js';
import type { RunRecord } from './stage-result.js';
import type { StageLimits } from './stage-limits.js';

/** Most files one compile may leave for the cache; more and the compile is simply not cached. */
const MAX_ARTIFACT_FILES = 10_000;

/** Where a compile's artifacts are kept: the entry directory and the relative paths of the files in it. */
export interface StoredArtifacts {
  dir: string;
  paths: string[];
  bytes: number;
}

/** What one compile produced; the cache keeps exactly this (the artifacts as files on disk). */
export interface CompileOutcome {
  record: RunRecord;
  judgement: Judgement;
  /** The files the compile created or changed (binaries, class files, emitted JS); null when not kept on disk. */
  artifacts: StoredArtifacts | null;
}

export interface CompileInput {
  language: LanguageStatus;
  entry: string;
  /** The submitted files. */
  files: SandboxFile[];
  /** Names of the files that are sources of this language (what `{sources}` expands to). */
  sources: string[];
  limits: StageLimits;
  /** Identifies the sandbox run in logs. */
  label: string;
  /** A fresh workspace to compile in, when this caller has to compile. */
  workspace: () => Promise<Workspace>;
}

/** How a compile was answered: `workspace` is set when this caller compiled, and then holds the compiled program. */
export interface CompileAnswer {
  outcome: CompileOutcome;
  cached: boolean;
  /** The workspace the compile ran in (the caller must destroy it); null for an answer from the cache. */
  workspace: Workspace | null;
  /** Everything placed in the compile's work dir (submitted and support files), so a cache hit can rebuild it. */
  inputs: SandboxFile[];
}

/** Bytes a stored outcome costs, with a little per-file bookkeeping so many tiny files are not free. */
function outcomeSize(outcome: CompileOutcome): number {
  const files = outcome.artifacts ? outcome.artifacts.bytes + outcome.artifacts.paths.reduce((sum, path) => sum + path.length + 64, 0) : 0;
  return files + outcome.record.stdout.length + outcome.record.stderr.length + 256;
}

export class CompileStage {
  readonly cache: CompileCache<CompileOutcome>;

  constructor(
    private readonly store: Promise<ArtifactStore>,
    private readonly maxCacheBytes: number,
    private readonly logger: Logger,
  ) {
    // A store that cannot open leaves every compile uncached (each keep() says why), never an unhandled rejection.
    store.catch((error: unknown) => logger.error({ err: error }, 'compile cache directory unusable; compiles are not cached'));
    this.cache = new CompileCache({
      maxBytes: maxCacheBytes,
      sizeOf: outcomeSize,
      onDrop: (outcome) => {
        if (outcome.artifacts) void this.store.then((store) => store.remove(outcome.artifacts!.dir)).catch((error: unknown) => this.logger.warn({ err: error }, 'compile cache entry not removed'));
      },
    });
  }

  /**
   * Compiles in a fresh workspace, or answers from an identical compile (finished or in flight). The shared compile is
   * never tied to one caller's abort signal: another caller may be waiting for it, and it is bounded by the compile limits.
   */
  async compile(input: CompileInput): Promise<CompileAnswer> {
    const plan = this.plan(input);
    let compiledIn: Workspace | null = null;
    const compute = async (keep: boolean) => {
      const workspace = await input.workspace();
      compiledIn = workspace;
      return this.run(input, plan, workspace, keep ? plan.key : null);
    };
    try {
      const lookup = await this.cache.getOrCompute(plan.key, () => compute(true));
      if (compiledIn !== null || lookup.value.judgement.verdict !== 'accepted' || lookup.value.artifacts !== null) {
        return { outcome: lookup.value, cached: compiledIn === null, workspace: compiledIn, inputs: plan.inputs };
      }
      // Joined a compile whose files were too large to keep: this caller needs a compiled program of its own.
      const own = await compute(false);
      return { outcome: own.value, cached: false, workspace: compiledIn, inputs: plan.inputs };
    } catch (error) {
      await (compiledIn as Workspace | null)?.destroy();
      throw error;
    }
  }

  /** Compiles without the cache (a cached entry vanished before it could be copied); the caller destroys the workspace. */
  async compileFresh(input: CompileInput): Promise<CompileAnswer> {
    const plan = this.plan(input);
    const workspace = await input.workspace();
    try {
      const { value } = await this.run(input, plan, workspace, null);
      return { outcome: value, cached: false, workspace, inputs: plan.inputs };
    } catch (error) {
      await workspace.destroy();
      throw error;
    }
  }

  /** The compile's argv, environment, every input file and the content key over all of them. */
  private plan(input: CompileInput): { argv: string[]; env: Record<string, string>; inputs: SandboxFile[]; key: string } {
    const { language, entry, limits, sources } = input;
    const argv = expandCommand(language.compile!, { entry, sources, memoryMb: limits.program.memoryMb });
    const support = (language.supportFiles ?? []).map((file) => ({ path: file.path, content: Buffer.from(file.content) }));
    const inputs = [...input.files, ...support];
    const env = language.env ?? {};
    const key = compileKey({ languageId: language.id, version: language.version ?? '', argv, env, files: inputs, limits: limits.sandbox });
    return { argv, env, inputs, key };
  }

  /** Runs the compile in `workspace`; with a key, a clean successful compile's files are copied into a cache entry. */
  private async run(
    input: CompileInput,
    plan: { argv: string[]; env: Record<string, string>; inputs: SandboxFile[] },
    workspace: Workspace,
    key: string | null,
  ): Promise<{ value: CompileOutcome; cacheable: boolean }> {
    const started = Date.now();
    const { limits, language } = input;
    await workspace.writeFiles(plan.inputs);
    const result = await workspace.run({ argv: plan.argv, env: plan.env, limits: limits.sandbox, label: input.label });
    const record: RunRecord = {
      stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode, signal: result.signal,
      cpuTimeMs: result.cpuTimeMs, wallTimeMs: result.wallTimeMs, memoryKb: result.memoryKb, limitHit: result.limitHit,
    };
    const judgement = judgeCompile(record, limits.program);
    // The runs see what a cache hit would rebuild: regular files only, never a link or FIFO the compile planted.
    if (judgement.verdict === 'accepted') await workspace.keepRegularFiles();
    // A limit hit or a signal may be the machine's load, not the program: only clean outcomes are worth reusing.
    const deterministic = !result.aborted && record.limitHit === null && record.signal === null && record.exitCode !== null;
    const artifacts = key !== null && deterministic && judgement.verdict === 'accepted' ? await this.keep(workspace, plan.inputs, key) : null;
    this.logger.debug({ language: language.id, verdict: judgement.verdict, ms: Date.now() - started, artifacts: artifacts?.paths.length ?? null }, 'compiled');
    return { value: { record, judgement, artifacts }, cacheable: key !== null && deterministic };
  }

  /** Copies what the compile produced (files created or changed) into a cache entry; null when it does not fit the cache. */
  private async keep(workspace: Workspace, inputs: readonly SandboxFile[], key: string): Promise<StoredArtifacts | null> {
    let store: ArtifactStore;
    try {
      store = await this.store;
    } catch {
      return null;
    }
    const pending = store.pendingPath();
    try {
      const before = await workspace.usedBytes();
      const paths = await workspace.exportFiles(pending, { unchanged: inputs, maxBytes: this.maxCacheBytes, maxFiles: MAX_ARTIFACT_FILES });
      const dir = await store.commit(pending, key);
      return { dir, paths, bytes: Math.min(before, this.maxCacheBytes) };
    } catch (error) {
      await store.remove(pending).catch(() => undefined);
      this.logger.debug({ err: error }, 'compile artifacts not cached');
      return null;
    }
  }
}
