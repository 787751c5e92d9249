// Detects which toolchains of the catalogue are installed, once, at start-up: by asking the sandbox, where programs run.
import { execFile } from 'node:child_process';
import { resolveExecutable } from '../sandbox/executables.js';
import { SANDBOX_PATH, type ToolchainProbe, type ToolchainReport } from '../sandbox/sandbox.js';
import type { LanguageDefinition, LanguageStatus } from './language.js';

/** What running a version command produced. */
export interface CommandOutcome {
  /** stdout and stderr together: some tools (javac, java) print their version on stderr. */
  output: string;
  /** Why the command could not run or failed, or null when it exited 0. */
  error: string | null;
}

export type CommandRunner = (argv: string[], options: { timeoutMs: number; path: string }) => Promise<CommandOutcome>;

/** Answers toolchain probes; `Sandbox.detectToolchains` is the one the engine uses. */
export type ToolchainProber = (probes: readonly ToolchainProbe[]) => Promise<ToolchainReport[]>;

export interface DetectOptions {
  /**
   * Longest a version command may take.
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * Where the probes run: the sandbox (so a tool counts only when a sandboxed program can use it).
   * @defaultValue `hostProber()`, for tools without a sandbox (`runlane languages`)
   */
  probe?: ToolchainProber;
}

export interface HostProberOptions {
  /**
   * PATH on which commands are looked up.
   * @defaultValue SANDBOX_PATH: a tool found only in the server user's own PATH (pyenv shims, ~/.cargo) does not count
   */
  path?: string;
  /** Runs a version command; tests replace it. */
  runCommand?: CommandRunner;
  /** Tells whether a tool exists on the PATH; tests replace it. */
  findTool?: (name: string, path: string) => Promise<string | null>;
}

/** Runs every language's version command and reports each as installed or not, with the reason. Never throws. */
export async function detectLanguages(catalogue: readonly LanguageDefinition[], options: DetectOptions = {}): Promise<LanguageStatus[]> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const probes = catalogue.map((language) => ({ tools: requiredTools(language), versionCommand: language.versionCommand, timeoutMs }));
  let reports: ToolchainReport[];
  try {
    reports = await (options.probe ?? hostProber())(probes);
  } catch (error) {
    reports = probes.map(() => ({ missing: [], output: '', error: `detection failed: ${(error as Error).message}` }));
  }
  return catalogue.map((language, index) => statusOf(language, reports[index]!));
}

/** Detects one language: every tool its commands need must exist, and the version command must print a version. */
export async function detectLanguage(language: LanguageDefinition, options: DetectOptions = {}): Promise<LanguageStatus> {
  const [status] = await detectLanguages([language], options);
  return status!;
}

function statusOf(language: LanguageDefinition, report: ToolchainReport): LanguageStatus {
  const unavailable = (reason: string): LanguageStatus => ({ ...language, installed: false, version: null, unavailableReason: reason });
  const [missing] = report.missing;
  if (missing !== undefined) return unavailable(`\`${missing}\` was not found on ${SANDBOX_PATH}; install the Debian package(s) ${language.debianPackages.join(', ')}`);
  if (report.error) return unavailable(`\`${language.versionCommand.join(' ')}\` failed: ${report.error}`);
  const version = parseVersion(report.output, language.versionPattern);
  if (!version) return unavailable(`could not read a version from \`${language.versionCommand.join(' ')}\` (output: ${JSON.stringify(report.output.slice(0, 120))})`);
  return { ...language, installed: true, version, unavailableReason: null };
}

/** First capture group of the pattern in the output (multi-line), or null. */
export function parseVersion(output: string, pattern: string): string | null {
  const match = new RegExp(pattern, 'm').exec(output);
  return match?.[1] ?? null;
}

/** Tools named bare by the version, compile and run commands; `./main` and placeholders are the program's own. */
export function requiredTools(language: LanguageDefinition): string[] {
  const heads = [language.versionCommand[0], language.compile?.[0], language.run[0]];
  const tools = heads.filter((head): head is string => !!head && !head.includes('/') && !head.includes('{'));
  return [...new Set(tools)];
}

/** Probes on the host itself, on the sandbox's PATH, for callers that have no sandbox. */
export function hostProber(options: HostProberOptions = {}): ToolchainProber {
  const path = options.path ?? SANDBOX_PATH;
  const findTool = options.findTool ?? resolveExecutable;
  const runCommand = options.runCommand ?? runVersionCommand;
  const probeOne = async (probe: ToolchainProbe): Promise<ToolchainReport> => {
    const resolved = new Map<string, string>();
    for (const tool of probe.tools) {
      const found = await findTool(tool, path);
      if (!found) return { missing: [tool], output: '', error: null };
      resolved.set(tool, found);
    }
    const [head, ...rest] = probe.versionCommand;
    const outcome = await runCommand([resolved.get(head!) ?? head!, ...rest], { timeoutMs: probe.timeoutMs ?? 10_000, path });
    return { missing: [], ...outcome };
  };
  return (probes) => Promise.all(probes.map(probeOne));
}

function runVersionCommand(argv: string[], options: { timeoutMs: number; path: string }): Promise<CommandOutcome> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    // A clean environment: the server's variables (and secrets) are nobody's business, not even a compiler's.
    const env = { PATH: options.path, LANG: 'C.UTF-8', HOME: '/tmp' };
    execFile(file!, args, { env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (!error) return resolve({ output, error: null });
      const reason = error.killed ? `timed out after ${options.timeoutMs} ms` : error.message.split('\n')[0]!;
      resolve({ output, error: reason });
    });
  });
}
