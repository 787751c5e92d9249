// The baseline every sandbox figure is a ratio to: the same program spawned bare from Node, with pipes and a minimal env.
import { spawn } from 'node:child_process';

/** Spawns like the sandbox does (pipes for all stdio, minimal env), waits for the exit and the streams to close; checks stdout when given. */
export function spawnBare(command: string, args: readonly string[], expectStdout?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' }, cwd: '/' });
    let stdout = '';
    child.stdin.end();
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`${command} exited ${code}`));
      else if (expectStdout !== undefined && stdout !== expectStdout) reject(new Error(`${command} printed ${JSON.stringify(stdout)}`));
      else resolve();
    });
  });
}

/** Wall time of one call, ms. */
export async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}
