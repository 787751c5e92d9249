// A server killed mid-run leaves no process behind, and the next server on the same run root sweeps its mounts, /etc copy and cgroups.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestSandbox, type TestSandbox } from '../fixtures/sandbox/harness.js';

const crashServer = fileURLToPath(new URL('../fixtures/sandbox/crash-server.ts', import.meta.url));

async function mountsUnder(path: string): Promise<string[]> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').map((line) => line.split(' ')[4] ?? '').filter((mountPoint) => mountPoint.startsWith(path));
}

describe('when a server is killed in the middle of a run', () => {
  let next: TestSandbox | undefined;
  afterAll(async () => {
    await next?.dispose();
  });

  it('should leave no process of the run alive, and the next server should sweep everything it left', async () => {
    // A first sandbox only lends its private run root, cgroup parent and uid range to the crashing server, then steps aside.
    const probe = await createTestSandbox();
    const options = probe.options;
    await probe.sandbox.close();

    const server = spawn(process.execPath, ['--import', 'tsx', crashServer, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
      server.once('exit', (code) => reject(new Error(`crash server exited early with ${code}`)));
    });
    expect((await mountsUnder(options.runRoot)).length).toBeGreaterThan(0);
    expect((await probe.processesOfRuns()).length).toBeGreaterThan(0);

    server.kill('SIGKILL');
    await new Promise((resolve) => server.once('exit', resolve));
    // bwrap's --die-with-parent and the waiting prologues' closed go descriptor end everything of the dead server.
    for (let attempt = 0; attempt < 50 && (await probe.processesOfRuns()).length > 0; attempt++) await sleep(100);
    expect(await probe.processesOfRuns()).toEqual([]);
    expect((await mountsUnder(options.runRoot)).length).toBeGreaterThan(0);

    next = await createTestSandbox(undefined, { runRoot: options.runRoot, cgroupRoot: options.cgroupRoot, uidBase: options.uidBase, uidCount: options.uidCount });
    await next.sandbox.close();
    expect(await mountsUnder(options.runRoot)).toEqual([]);
    expect(await next.everything()).toEqual([]);
    await probe.dispose();
  });
});
