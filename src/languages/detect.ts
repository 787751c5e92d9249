// Detects which toolchains of the catalogue are installed on this host, once, at start-up.
import { execFile } from 'node:child_process';
import { resolveExecutable } from '../sandbox/executables.js';
import { SANDBOX_PATH } from '../sandbox/sandbox.js';
import type { LanguageDefinition, LanguageStatus } from './language.js';

/**
 * Detection looks tools up on the PATH the sandbox gives programs, so a tool found only in the server user's
 * own PATH (pyenv shims, ~/.cargo) is not reported as installed.
 */
const SYSTEM_PATH = SANDBOX_PATH;

/** What running a version command produced. */
export interface CommandOutcome {
  /** stdout and stderr together: some tools (javac, java) print their version on stderr. */
  output: string;
  /** Why the command could not run or failed, or null when it exited 0. */
  error: string | null;
}

export type CommandRunner = (argv: string[], options: { timeoutMs: number; path: string }) => Promise<CommandOutcome>;

export interface DetectOptions {
  /**
   * Longest a version command may take.
   * @defaultValue 10000
   */
  timeoutMs?: number;
  /**
   * PATH on which commands are looked up.
   * @defaultValue SYSTEM_PATH
   */
  path?: string;
  /** Runs a version command; tests replace it. */
  runCommand?: CommandRunner;
  /** Tells whether a tool exists on the PATH; tests replace it. */
  findTool?: (name: string, path: string) => Promise<string | null>;
}

/** Runs every language's version command in parallel and reports each as installed or not, with the reason. Never throws. */
export async function detectLanguages(catalogue: readonly LanguageDefinition[], options: DetectOptions = {}): Promise<LanguageStatus[]> {
  return Promise.all(catalogue.map((language) => detectLanguage(language, options)));
}

/** Detects one language: every tool its commands need must exist, and the version command must print a version. */
export async function detectLanguage(language: LanguageDefinition, options: DetectOptions = {}): Promise<LanguageStatus> {
  const path = options.path ?? SYSTEM_PATH;
  const findTool = options.findTool ?? resolveExecutable;
  const runCommand = options.runCommand ?? runVersionCommand;
  const unavailable = (reason: string): LanguageStatus => ({ ...language, installed: false, version: null, unavailableReason: reason });

  const resolved = new Map<string, string>();
  for (const tool of requiredTools(language)) {
    const found = await findTool(tool, path);
    if (!found) return unavailable(`\`${tool}\` was not found on ${path}; install the Debian package(s) ${language.debianPackages.join(', ')}`);
    resolved.set(tool, found);
  }
  const [head, ...rest] = language.versionCommand;
  const argv = [resolved.get(head!) ?? head!, ...rest];
  const outcome = await runCommand(argv, { timeoutMs: options.timeoutMs ?? 10_000, path });
  if (outcome.error) return unavailable(`\`${language.versionCommand.join(' ')}\` failed: ${outcome.error}`);
  const version = parseVersion(outcome.output, language.versionPattern);
  if (!version) return unavailable(`could not read a version from \`${language.versionCommand.join(' ')}\` (output: ${JSON.stringify(outcome.output.slice(0, 120))})`);
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
