// `runlane serve` / `runlane worker` as real child processes for the cluster scenarios: started until ready, stopped by pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

/** What `serve` logs once it listens (first group: its base URL), and what a worker logs once it takes jobs. */
export const SERVING = /"url":"(http:\/\/[^"]+)".*"msg":"runlane is serving"/;
export const WORKING = /"msg":"runlane worker is running"/;

export interface RunlaneChild {
  child: ChildProcess;
  /** The base URL for a server, null for a worker. */
  url: string | null;
  output(): string;
}

/**
 * Environment that keeps a benchmark process apart from anything else on the host: its own run root, uid range and
 * cgroup, so two of them (or a test run beside them) never hand out the same sandbox uid.
 */
export function isolatedSandboxEnv(tmpDir: string, label: string): NodeJS.ProcessEnv {
  return {
    RUNLANE_SANDBOX__RUN_ROOT: join(tmpDir, `${label}-run-root`),
    RUNLANE_SANDBOX__UID_BASE: String(500_000 + randomInt(0, 1000) * 1024),
    RUNLANE_SANDBOX__CGROUP_ROOT: `runlane-bench-${label}-${process.pid}`,
    RUNLANE_DATA_DIR: join(tmpDir, `${label}-data`),
  };
}

/** Spawns `runlane <args>` from the sources and resolves once its output matches `ready`; rejects if it exits first. */
export function startRunlane(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 120_000): Promise<RunlaneChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runlane ${args[0]} was not ready within ${timeoutMs} ms:\n${output.slice(-2000)}`));
    }, timeoutMs);
    const check = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, url: match[1] ?? null, output: () => output });
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`runlane ${args[0]} exited before it was ready, with ${code ?? signal}:\n${output.slice(-2000)}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopRunlane(node: RunlaneChild, graceMs = 15_000): Promise<void> {
  const { child } = node;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
