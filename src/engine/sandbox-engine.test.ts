// The engine's orchestration against a scripted fake sandbox: compile once in a workspace, lanes of cases, verdicts, cache, aborts.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ResourceLimits } from '../domain/limits.js';
import type { ExecutionRequest } from '../domain/submission.js';
import { CATALOGUE } from '../languages/catalogue.js';
import type { LanguageStatus } from '../languages/language.js';
import type { ExportOptions, Sandbox, SandboxCapabilities, SandboxCommand, SandboxFile, SandboxProcess, SandboxRunResult, SandboxRunSpec, ToolchainReport, Workspace } from '../sandbox/sandbox.js';
import type { EngineEvent } from './engine.js';
import { SandboxEngine } from './sandbox-engine.js';
import { executionRequest } from '../domain/submission.js';
import { AppError, SANDBOX_ERRORS } from '../errors/index.js';

const limits: ResourceLimits = { cpuTimeMs: 1000, wallTimeMs: 2000, memoryMb: 128, processes: 32, outputBytes: 10_000, fileSizeBytes: 10_000, workDirMb: 16, openFiles: 64, stackMb: 8 };
const languages: LanguageStatus[] = CATALOGUE.map((language) => ({ ...language, installed: true, version: '1.0.0', unavailableReason: null }));

const ARTIFACT_ROOT = await mkdtemp(join(tmpdir(), 'runlane-engine-test-'));

type Script = (spec: SandboxRunSpec) => Partial<SandboxRunResult> | Promise<Partial<SandboxRunResult>>;

/** Programs the fake treats as compilers: their run is recorded with `collectFiles`, and what the script returns in `files` becomes the work dir. */
const COMPILERS = new Set(['gcc', 'g++', 'javac', 'tsc', 'go', 'rustc']);
const PAGE = 4096;

/** A work dir in memory: files written or imported before the first command, rewritten by a compile's script. */
class FakeWorkspace implements Workspace {
  files = new Map<string, SandboxFile>();
  constructor(private readonly sandbox: FakeSandbox) {}

  async writeFiles(files: readonly SandboxFile[]): Promise<void> {
    for (const file of files) this.files.set(file.path, file);
  }

  async importFiles(sourceDir: string, paths: readonly string[]): Promise<void> {
    for (const path of paths) this.files.set(path, { path, content: await readFile(join(sourceDir, path)) });
  }

  async exportFiles(targetDir: string, options: ExportOptions): Promise<string[]> {
    const unchanged = new Map((options.unchanged ?? []).map((file) => [file.path, file.content]));
    const copied: string[] = [];
    for (const file of this.files.values()) {
      if (unchanged.get(file.path)?.equals(file.content)) continue;
      await mkdir(dirname(join(targetDir, file.path)), { recursive: true });
      await writeFile(join(targetDir, file.path), file.content);
      copied.push(file.path);
    }
    return copied;
  }

  async keepRegularFiles(): Promise<void> {}

  async usedBytes(): Promise<number> {
    return [...this.files.values()].reduce((sum, file) => sum + Math.ceil(file.content.length / PAGE) * PAGE, 0);
  }

  async run(command: SandboxCommand): Promise<SandboxRunResult> {
    const compile = COMPILERS.has(command.argv[0]!);
    const result = await this.sandbox.record({ ...command, files: [...this.files.values()], ...(compile ? { collectFiles: true } : {}) });
    if (compile && result.files.length > 0) this.files = new Map(result.files.map((file) => [file.path, file]));
    return result;
  }

  async start(command: SandboxCommand): Promise<SandboxProcess> {
    const result = this.run(command);
    return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), signal: () => undefined, kill: () => undefined, result };
  }

  async destroy(): Promise<void> {
    this.sandbox.released();
  }
}

class FakeSandbox implements Sandbox {
  readonly capabilities: SandboxCapabilities = { implementation: 'fake', version: 'fake', enforces: { memory: true, cpuTotal: true, pids: true, network: true, filesystem: true, seccomp: true, memoryPeak: true }, cgroups: 'v1', warnings: [] };
  /** Every command run, with the files its work dir held when it started. */
  readonly specs: SandboxRunSpec[] = [];
  running = 0;
  peak = 0;
  created = 0;
  destroyed = 0;
  constructor(private readonly script: Script) {}

  async record(spec: SandboxRunSpec): Promise<SandboxRunResult> {
    this.specs.push(spec);
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0, signal: null, cpuTimeMs: 3, wallTimeMs: 7, memoryKb: 900, limitHit: null, aborted: false, files: [], ...(await this.script(spec)) };
    } finally {
      this.running--;
    }
  }

  /** Workspaces that can exist at once (slots); more is `RUNLANE_ERR_SANDBOX_BUSY`. */
  slots = Infinity;
  private live = 0;

  async createWorkspace(): Promise<Workspace> {
    if (this.live >= this.slots) throw new AppError(SANDBOX_ERRORS.busy, 'every sandbox slot is in use');
    this.live++;
    this.created++;
    return new FakeWorkspace(this);
  }

  async run(spec: SandboxRunSpec): Promise<SandboxRunResult> {
    const workspace = await this.createWorkspace();
    await workspace.writeFiles(spec.files ?? []);
    return workspace.run(spec);
  }

  async start(spec: SandboxRunSpec): Promise<SandboxProcess> {
    const workspace = await this.createWorkspace();
    await workspace.writeFiles(spec.files ?? []);
    return workspace.start(spec);
  }

  async detectToolchains(): Promise<ToolchainReport[]> {
    return [];
  }

  async close(): Promise<void> {}

  health() {
    return { slots: 1, retired: 0 };
  }

  released(): void {
    this.live--;
    this.destroyed++;
  }

  compiles(): SandboxRunSpec[] {
    return this.specs.filter((spec) => spec.collectFiles);
  }
}

function engineWith(script: Script, batch = 3) {
  const sandbox = new FakeSandbox(script);
  const engine = new SandboxEngine({ sandbox, languages, artifactDir: ARTIFACT_ROOT, limits: { run: limits, compile: { ...limits, cpuTimeMs: 9000 }, max: { ...limits, memoryMb: 1024 } }, testCaseBatchSize: batch });
  return { sandbox, engine };
}

const request = (overrides: Partial<ExecutionRequest> = {}): ExecutionRequest =>
  executionRequest('python', [{ name: 'main.py', content: 'print(input())' }], { stdin: 'hi\n', ...overrides });

/** A C compiler that produces `main`, and a program that echoes its stdin. */
const cScript: Script = (spec) => {
  if (spec.collectFiles) {
    const source = spec.files!.find((file) => file.path === 'main.c')!.content.toString();
    if (source.includes('syntax error')) return { exitCode: 1, stderr: Buffer.from("main.c:1:1: error: expected ';'\n") };
    return { files: [...spec.files!, { path: 'main', content: Buffer.from('ELF'), mode: 0o755 }] };
  }
  return { stdout: Buffer.from(String(spec.stdin ?? '')) };
};
const cRequest = (overrides: Partial<ExecutionRequest> = {}) => request({ language: 'c', files: [{ name: 'main.c', content: 'int main(){}' }], ...overrides });

describe('when running an interpreted program', () => {
  it('should run once with stdin and args and fill every result field', async () => {
    const { engine, sandbox } = engineWith(() => ({ stdout: Buffer.from('hi\n') }));
    const result = await engine.execute(request({ args: ['--flag', 'x y'] }));
    expect(sandbox.specs).toHaveLength(1);
    expect(sandbox.specs[0]!.argv).toEqual(['python3', '-B', '-s', 'main.py', '--flag', 'x y']);
    expect(sandbox.specs[0]!.stdin).toBe('hi\n');
    expect(result).toEqual({
      verdict: 'accepted', compile: null, compileCached: false, stdout: 'hi\n', stderr: '', exitCode: 0, signal: null, cpuTimeMs: 3, wallTimeMs: 7, memoryKb: 900, message: null, toolchainVersion: '1.0.0',
      testCases: [{ index: 0, verdict: 'accepted', stdout: 'hi\n', stderr: '', invalidUtf8: false, message: null, cpuTimeMs: 3, wallTimeMs: 7, memoryKb: 900, exitCode: 0, signal: null, expectedOutput: null }],
    });
  });

  it('should give the sandbox the requested limits plus the runtime overhead', async () => {
    const { engine, sandbox } = engineWith(() => ({}));
    await engine.execute(request({ language: 'java', files: [{ name: 'Main.java', content: 'class Main { public static void main(String[] args) {} }' }], limits: { memoryMb: 200 } }));
    const run = sandbox.specs.find((spec) => !spec.collectFiles)!;
    expect(run.limits.memoryMb).toBe(200 + 160);
    expect(run.argv).toContain('-Xmx200m');
  });

  it('should deliver raw bytes in base64 on request', async () => {
    const { engine } = engineWith(() => ({ stdout: Buffer.from([0xc3, 0x28]) }));
    const result = await engine.execute(request({ outputEncoding: 'base64' }));
    expect(Buffer.from(result.stdout, 'base64')).toEqual(Buffer.from([0xc3, 0x28]));
    expect(result.testCases[0]!.invalidUtf8).toBe(true);
  });
});

describe('when running a compiled program with test cases', () => {
  it('should compile once, run the cases at most 3 at a time and judge each', async () => {
    const { engine, sandbox } = engineWith(cScript);
    const events: EngineEvent[] = [];
    const testCases = ['1', '2', '3', '4', '5', '6', '7'].map((n) => ({ stdin: `${n}\n`, expectedOutput: n === '4' ? '5' : n }));
    const result = await engine.execute(cRequest({ testCases }), { onEvent: (event) => events.push(event) });
    expect(sandbox.compiles()).toHaveLength(1);
    expect(sandbox.peak).toBeLessThanOrEqual(3);
    expect(result.testCases.map((testCase) => testCase.verdict)).toEqual(['accepted', 'accepted', 'accepted', 'wrong_answer', 'accepted', 'accepted', 'accepted']);
    expect(result.verdict).toBe('wrong_answer');
    expect(result.message).toMatch(/^test case 4:/);
    expect(events.filter((event) => event.type === 'compile-finished')).toEqual([expect.objectContaining({ cached: false })]);
    expect(events.filter((event) => event.type === 'test-case-finished')).toHaveLength(7);
    const run = sandbox.specs.find((spec) => !spec.collectFiles)!;
    expect(run.argv).toEqual(['./main']);
    expect(run.files!.map((file) => file.path).sort()).toEqual(['main', 'main.c']);
  });

  it('should run the cases in the compile\'s workspace and in lanes filled from the cache, then destroy every workspace', async () => {
    const { engine, sandbox } = engineWith(cScript);
    const cases = [1, 2, 3, 4, 5, 6].map((n) => ({ stdin: `${n}\n`, expectedOutput: `${n}\n` }));
    const result = await engine.execute(cRequest({ testCases: cases }));
    expect(result.verdict).toBe('accepted');
    // One workspace compiles and runs its share; two more lanes get the artifact copied from the cache entry on disk.
    expect(sandbox.created).toBe(3);
    expect(sandbox.destroyed).toBe(3);
    const runs = sandbox.specs.filter((spec) => !spec.collectFiles);
    expect(runs).toHaveLength(6);
    for (const run of runs) expect(run.files!.map((file) => [file.path, file.content.toString()]).sort()).toEqual([['main', 'ELF'], ['main.c', 'int main(){}']]);
    await engine.execute(cRequest({ testCases: [{ stdin: 'x' }] }));
    expect(sandbox.created).toBe(4);
    expect(sandbox.destroyed).toBe(4);
  });

  it('should run every case in fewer lanes when the sandbox has no slot for more', async () => {
    const { engine, sandbox } = engineWith(cScript);
    sandbox.slots = 1;
    const cases = [1, 2, 3, 4].map((n) => ({ stdin: `${n}\n`, expectedOutput: `${n}\n` }));
    const result = await engine.execute(cRequest({ testCases: cases }));
    expect(result.verdict).toBe('accepted');
    expect(result.testCases.map((testCase) => testCase.index)).toEqual([0, 1, 2, 3]);
    expect(sandbox.created).toBe(1);
    expect(sandbox.destroyed).toBe(1);
  });

  it('should reuse the compile for an identical submission, and share one that is in flight', async () => {
    const { engine, sandbox } = engineWith(cScript);
    const [a, b] = await Promise.all([engine.execute(cRequest()), engine.execute(cRequest())]);
    const c = await engine.execute(cRequest());
    expect(sandbox.compiles()).toHaveLength(1);
    expect([a.compileCached, b.compileCached, c.compileCached].sort()).toEqual([false, true, true]);
    expect(engine.compileCacheStats()).toMatchObject({ misses: 1, hits: 1, joins: 1 });
    await engine.execute(cRequest({ files: [{ name: 'main.c', content: 'int main(){ }' }] }));
    expect(sandbox.compiles()).toHaveLength(2);
  });

  it('should judge a compiled program larger than the run\'s work dir as a compilation error, without running it', async () => {
    const { engine, sandbox } = engineWith((spec) =>
      spec.collectFiles ? { files: [...spec.files!, { path: 'main', content: Buffer.alloc(3 * 1024 * 1024 + 1), mode: 0o755 }] } : {},
    );
    const result = await engine.execute(cRequest({ limits: { workDirMb: 3 } }));
    expect(result.verdict).toBe('compilation_error');
    expect(result.message).toMatch(/compiled program and its files \(3\.0 MB\) are larger than the run's work dir \(3 MB\)/);
    expect(result.testCases).toEqual([]);
    expect(sandbox.specs).toHaveLength(1);
    // The same compile fits a run that asks for more room: the check is per request, the cached compile is reused.
    const roomy = await engine.execute(cRequest({ limits: { workDirMb: 4 } }));
    expect(roomy.verdict).toBe('accepted');
    expect(roomy.compileCached).toBe(true);
  });

  it('should let the compile\'s files win over submitted files of the same name in the run stage', async () => {
    const { engine, sandbox } = engineWith((spec) =>
      spec.collectFiles ? { files: [...spec.files!, { path: 'main', content: Buffer.from('ELF') }, { path: 'notes.txt', content: Buffer.from('rewritten') }] } : {},
    );
    await engine.execute(cRequest({ files: [{ name: 'main.c', content: 'int main(){}' }, { name: 'notes.txt', content: 'original' }] }));
    const run = sandbox.specs.find((spec) => !spec.collectFiles)!;
    expect(run.files!.map((file) => [file.path, file.content.toString()]).sort()).toEqual([['main', 'ELF'], ['main.c', 'int main(){}'], ['notes.txt', 'rewritten']]);
  });

  it("should return the compiler's message as a compilation error without running", async () => {
    const { engine, sandbox } = engineWith(cScript);
    const result = await engine.execute(cRequest({ files: [{ name: 'main.c', content: 'syntax error' }], testCases: [{ stdin: '', expectedOutput: '' }] }));
    expect(result.verdict).toBe('compilation_error');
    expect(result.stderr).toContain("error: expected ';'");
    expect(result.compile!.verdict).toBe('compilation_error');
    expect(result.testCases).toEqual([]);
    expect(sandbox.specs).toHaveLength(1);
  });

  it('should not cache a compile stopped by a limit', async () => {
    const { engine, sandbox } = engineWith((spec) => (spec.collectFiles ? { limitHit: 'wall', signal: 'SIGKILL', exitCode: null } : {}));
    expect((await engine.execute(cRequest())).verdict).toBe('compilation_error');
    await engine.execute(cRequest());
    expect(sandbox.compiles()).toHaveLength(2);
  });
});

describe('when something stops the execution', () => {
  it('should keep what finished when the caller aborts, without claiming internal_error', async () => {
    const controller = new AbortController();
    const { engine } = engineWith(async (spec) => {
      if (spec.stdin === '1\n') return { stdout: Buffer.from('1\n') };
      controller.abort();
      return { aborted: true, signal: 'SIGKILL', exitCode: null };
    }, 1);
    const result = await engine.execute(request({ testCases: [{ stdin: '1\n' }, { stdin: '2\n' }, { stdin: '3\n' }] }), { signal: controller.signal });
    expect(result.testCases).toHaveLength(1);
    expect(result.verdict).not.toBe('internal_error');
    expect(result.message).toBe('stopped before it finished: 1 of 3 runs completed');
  });

  it('should reject when the sandbox itself fails', async () => {
    const { engine } = engineWith(() => Promise.reject(new Error('cgroup vanished')));
    await expect(engine.execute(request())).rejects.toThrow('cgroup vanished');
  });

  it('should reject a bad request before running anything', async () => {
    const { engine, sandbox } = engineWith(() => ({}));
    await expect(engine.execute(request({ language: 'cobol' }))).rejects.toMatchObject({ code: 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE' });
    expect(sandbox.specs).toHaveLength(0);
  });
});

describe('when starting an interactive program', () => {
  it('should compile through the cache and start the program', async () => {
    const { engine, sandbox } = engineWith(cScript);
    await engine.execute(cRequest());
    const started = await engine.startInteractive(cRequest());
    expect(started.compileError).toBeNull();
    expect(started.process).not.toBeNull();
    expect(sandbox.compiles()).toHaveLength(1);
    const outcome = await started.outcome;
    expect(outcome).toMatchObject({ verdict: 'accepted', compileCached: true, stdout: '' });
  });

  it('should hand back the compile error and start nothing', async () => {
    const { engine } = engineWith(cScript);
    const started = await engine.startInteractive(cRequest({ files: [{ name: 'main.c', content: 'syntax error' }] }));
    expect(started.process).toBeNull();
    expect(started.compileError!.verdict).toBe('compilation_error');
    expect((await started.outcome).verdict).toBe('compilation_error');
  });
});
