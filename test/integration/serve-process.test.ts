// `runlane serve` as a real process: serves on a real port, and on SIGTERM lets running work finish and keeps the rest queued.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startRunlane } from '../support/runlane-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'runlane-serve-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `runlane serve` on a free port and resolves with its URL once it logs that it is serving. */
async function startServe(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const started = await startRunlane(['serve', '--port', '0', '--data-dir', dataDir], env);
  return { ...started, url: started.url! };
}

async function submit(url: string, body: object): Promise<{ id: string; status: string }> {
  const response = await fetch(`${url}/api/v1/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return (await response.json()) as { id: string; status: string };
}

describe('runlane serve', () => {
  describe('when it receives SIGTERM with work in flight', () => {
    it('should finish the running execution, keep the queued one queued for the restart, and exit 0', async () => {
      const { child, url, output } = await startServe({ MAX_CONCURRENT_EXECUTIONS: '1', RUNLANE_SHUTDOWN__GRACE_MS: '10000' });
      const running = await submit(url, { language: 'python', source: `import time\ntime.sleep(1.5)\nprint('${randomUUID()}')` });
      const queued = await submit(url, { language: 'python', source: 'print(2)' });
      // Wait until the first one runs, so the signal lands mid-run.
      for (let attempt = 0; attempt < 100; attempt++) {
        const state = (await (await fetch(`${url}/api/v1/submissions/${running.id}`)).json()) as { status: string };
        if (state.status === 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output()).toContain('shut down');
      // Every log line is one JSON object without a repeated key (a duplicate `component` once crept in), and each
      // start-up warning of the sandbox is logged once.
      const lines = output().split('\n').filter((line) => line.startsWith('{'));
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(line.match(/"component":/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
      const warnings = lines.map((line) => JSON.parse(line) as { msg: string }).filter((entry) => /cgroup v2:|cgroups:/.test(entry.msg));
      expect(new Set(warnings.map((entry) => entry.msg)).size).toBe(warnings.length);

      const store = await createSqliteStore(join(dataDir, 'runlane.db'));
      try {
        expect(await store.getSubmission(running.id)).toMatchObject({ status: 'completed', verdict: 'accepted' });
        expect(await store.getSubmission(queued.id)).toMatchObject({ status: 'queued', verdict: null, error: null });
      } finally {
        await store.close();
      }
    });
  });

  describe('when it is restarted on the same data', () => {
    it('should still answer for executions of the earlier process', async () => {
      const first = await startServe({});
      const done = (await (
        await fetch(`${first.url}/api/v1/submissions?wait=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ language: 'python', source: 'print("kept")' }),
        })
      ).json()) as { id: string; stdout: string };
      expect(done.stdout).toBe('kept\n');
      // No credentials and a loopback bind: the start-up line says why tokenless requests are served.
      expect(first.output()).toContain('auth: anonymous (loopback, no credentials configured)');
      const stopped = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGINT');
      await stopped;

      const second = await startServe({});
      try {
        const again = (await (await fetch(`${second.url}/api/v1/submissions/${done.id}`)).json()) as { status: string; stdout: string };
        expect(again).toMatchObject({ status: 'completed', stdout: 'kept\n' });
      } finally {
        const exited = new Promise((resolve) => second.child.once('exit', resolve));
        second.child.kill('SIGTERM');
        await exited;
      }
    });
  });
});
