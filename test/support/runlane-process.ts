// `runlane …` as a real child process for tests: started until it says it is ready, or run until it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../fixtures/cli-entry.ts', import.meta.url));

/** What `serve` logs once it listens; the first group is its base URL. */
export const SERVING = /"url":"(http:\/\/[^"]+)".*"msg":"runlane is serving"/;

export interface RunlaneProcess {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr together. */
  output: () => string;
}

/** A process that said it is ready; `url` is the first group of the ready pattern (a server's base URL), else null. */
export type ReadyRunlane = RunlaneProcess & { url: string | null };

/** Spawns `runlane <args>` from the sources (info logs, `env` over this process's environment), collecting its output. */
export function spawnRunlane(args: string[], env: NodeJS.ProcessEnv = {}): RunlaneProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return { child, output: () => output };
}

/** Spawns `runlane <args>` and resolves once it is ready (see {@link untilReady}). */
export function startRunlane(args: string[], env: NodeJS.ProcessEnv = {}, ready: RegExp = SERVING): Promise<ReadyRunlane> {
  return untilReady(spawnRunlane(args, env), ready);
}

/**
 * Resolves once the process's output matches `ready` (by default: serving), with the first group of the match as `url`
 * (null without one); rejects with the output if it exits first.
 */
export function untilReady(started: RunlaneProcess, ready: RegExp = SERVING): Promise<ReadyRunlane> {
  const { child, output } = started;
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = ready.exec(output());
      if (match) resolve({ ...started, url: match[1] ?? null });
    };
    check();
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code, signal) => reject(new Error(`runlane exited before it was ready, with ${code ?? signal}:\n${output()}`)));
  });
}

/** Runs `runlane <args>` until it exits (SIGKILLed after `timeoutMs`, so a test fails on its assertion instead of hanging). */
export function runRunlaneToExit(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnRunlane(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
    }),
  );
}
