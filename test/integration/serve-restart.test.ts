// `runlane serve` restarted for real: SIGTERM mid-run loses nothing; after the restart every accepted submission completes once, in order.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../src/domain/submission.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../fixtures/cli-entry.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'runlane-serve-restart-'));
const COUNT = 20;
/** One slot, so the order runs happen in is the order they were accepted in; a short grace, so SIGTERM interrupts a run. */
const ENV = { MAX_CONCURRENT_EXECUTIONS: '1', RUNLANE_SHUTDOWN__GRACE_MS: '100', RATE_LIMIT_MAX_REQUESTS: '100000' };

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Starts `runlane serve` on a free port and resolves with its URL once it logs that it is serving. */
function startServe(): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"runlane is serving"/.exec(output);
      if (match) resolve({ child, url: match[1]!, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited early with ${code}:\n${output}`)));
  });
}

async function statusOf(url: string, id: string): Promise<string> {
  return ((await (await fetch(`${url}/api/v1/submissions/${id}`)).json()) as { status: string }).status;
}

async function poll(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readAll(ids: string[]): Promise<Submission[]> {
  const store = await createSqliteStore(join(dataDir, 'runlane.db'));
  try {
    return await Promise.all(ids.map(async (id) => (await store.getSubmission(id))!));
  } finally {
    await store.close();
  }
}

describe('runlane serve restarted with work queued', () => {
  it('should keep everything on SIGTERM, answer waiting callers 503, and complete all of it exactly once, in order, after the restart', async () => {
    const first = await startServe();
    const ids: string[] = [];
    for (let index = 0; index < COUNT; index++) {
      const response = await fetch(`${first.url}/api/v1/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ language: 'python', source: `import time\ntime.sleep(0.5)\nprint(${index})` }),
      });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { id: string }).id);
    }
    // A caller waiting for a result it will not get from this process.
    const waiting = fetch(`${first.url}/api/v1/submissions?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'python', source: 'print("waiter")' }),
    });
    // Signal mid-run: a few done, one running, the rest queued.
    await poll(async () => (await statusOf(first.url, ids[2]!)) === 'completed' && (await statusOf(first.url, ids[3]!)) === 'running', 60_000);
    first.child.kill('SIGTERM');

    const refused = await waiting;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('RUNLANE_ERR_QUEUE_SHUTTING_DOWN');
    expect(await first.exited).toBe(0);

    const stopped = await readAll(ids);
    expect(stopped.filter((submission) => submission.status === 'failed')).toEqual([]);
    expect(stopped.filter((submission) => submission.status === 'completed').length).toBeLessThan(COUNT);
    // The run cut short by the end of the grace period stays running, to be retried; the others stay queued.
    expect(stopped[3]!.status).toBe('running');
    expect(stopped.slice(4).every((submission) => submission.status === 'queued')).toBe(true);

    const second = await startServe();
    try {
      await poll(async () => (await statusOf(second.url, ids[COUNT - 1]!)) === 'completed', 120_000);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }

    const done = await readAll(ids);
    done.forEach((submission, index) => {
      expect(submission).toMatchObject({ status: 'completed', verdict: 'accepted', error: null });
      expect(submission.result?.stdout).toBe(`${index}\n`);
    });
    // One slot: each started after the previous one finished, so every run happened once and in the order accepted.
    for (let index = 1; index < COUNT; index++) {
      expect(done[index]!.startedAt!.getTime()).toBeGreaterThanOrEqual(done[index - 1]!.finishedAt!.getTime());
    }
  }, 240_000);
});
