// The compile stage: compiles in the sandbox once per distinct program, through the content-addressed cache.
import type { Logger } from '../logging/logger.js';
import type { LanguageStatus } from '../languages/language.js';
import type { Sandbox, SandboxFile } from '../sandbox/sandbox.js';
import { CompileCache } from './compile-cache.js';
import { compileKey } from './compile-key.js';
import { judgeCompile, type Judgement } from './judge-run.js';
import { expandCommand } from './placeholders.js';
import type { RunRecord } from './stage-result.js';
import type { StageLimits } from './stage-limits.js';

/** What one compile produced; the cache stores exactly this. */
export interface CompileOutcome {
  record: RunRecord;
  judgement: Judgement;
  /** Files the compile created or changed (binaries, class files, emitted JS); the run stage gets them with the sources. */
  artifacts: SandboxFile[];
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
}

/** Bytes a stored outcome costs, with a little per-file bookkeeping so many tiny files are not free. */
function outcomeSize(outcome: CompileOutcome): number {
  const files = outcome.artifacts.reduce((sum, file) => sum + file.content.length + file.path.length + 64, 0);
  return files + outcome.record.stdout.length + outcome.record.stderr.length + 256;
}

export class CompileStage {
  readonly cache: CompileCache<CompileOutcome>;

  constructor(
    private readonly sandbox: Sandbox,
    maxCacheBytes: number,
    private readonly logger: Logger,
  ) {
    this.cache = new CompileCache({ maxBytes: maxCacheBytes, sizeOf: outcomeSize });
  }

  /**
   * Compiles, or reuses the outcome of an identical compile (finished or in flight). The shared compile is never tied to
   * one caller's abort signal: another caller may be waiting for it, and it is bounded by the compile limits anyway.
   */
  async compile(input: CompileInput): Promise<{ outcome: CompileOutcome; cached: boolean }> {
    const { language, entry, limits, sources } = input;
    const argv = expandCommand(language.compile!, { entry, sources, memoryMb: limits.program.memoryMb });
    const support = (language.supportFiles ?? []).map((file) => ({ path: file.path, content: Buffer.from(file.content) }));
    const files = [...input.files, ...support];
    const env = language.env ?? {};
    const key = compileKey({ languageId: language.id, version: language.version ?? '', argv, env, files, limits: limits.sandbox });

    const lookup = await this.cache.getOrCompute(key, async () => {
      const started = Date.now();
      const result = await this.sandbox.run({ argv, env, limits: limits.sandbox, files, collectFiles: true, label: input.label });
      const record: RunRecord = {
        stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode, signal: result.signal,
        cpuTimeMs: result.cpuTimeMs, wallTimeMs: result.wallTimeMs, memoryKb: result.memoryKb, limitHit: result.limitHit,
      };
      const judgement = judgeCompile(record, limits.program);
      const artifacts = judgement.verdict === 'accepted' ? newFiles(result.files, files) : [];
      this.logger.debug({ language: language.id, verdict: judgement.verdict, ms: Date.now() - started, artifacts: artifacts.length }, 'compiled');
      // A limit hit or a signal may be the machine's load, not the program: only clean outcomes are worth reusing.
      const deterministic = !result.aborted && record.limitHit === null && record.signal === null && record.exitCode !== null;
      return { value: { record, judgement, artifacts }, cacheable: deterministic };
    });
    return { outcome: lookup.value, cached: lookup.cached };
  }
}

/** Collected files the compile created or changed; unchanged inputs are not stored twice. */
function newFiles(collected: SandboxFile[], inputs: SandboxFile[]): SandboxFile[] {
  const byPath = new Map(inputs.map((file) => [file.path, file.content]));
  return collected.filter((file) => {
    const input = byPath.get(file.path);
    return !input || !input.equals(file.content);
  });
}
