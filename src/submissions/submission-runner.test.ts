// SubmissionRunner's takeover of a job claimed again after its lease expired, against an in-memory SQLite store.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../domain/result.js';
import { executionRequest, type Submission } from '../domain/submission.js';
import type { Engine } from '../engine/engine.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { InteractiveRegistry } from './interactive-registry.js';
import { jobOf } from './queued-job.js';
import { SubmissionRunner } from './submission-runner.js';
import type { SubmissionEvent } from './types.js';

const RESULT: ExecutionResult = {
  verdict: 'accepted', compile: null, compileCached: false, testCases: [], stdout: 'ran\n', stderr: '', exitCode: 0, signal: null,
  cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, message: null,
};

/** An engine that records what it ran and answers at once. */
function countingEngine(): Engine & { runs: number } {
  const engine = {
    runs: 0,
    languages: () => [],
    execute: () => {
      engine.runs += 1;
      return Promise.resolve(RESULT);
    },
    startInteractive: () => Promise.reject(new Error('not used')),
  };
  return engine;
}

function submission(): Submission {
  return {
    id: randomUUID(), correlationId: randomUUID(), roomId: null, user: { userId: 'alice', displayName: 'Alice', avatar: null, role: 'user' },
    title: null, priorityKind: 'run', priority: 0, request: executionRequest('python', [{ name: 'main.py', content: 'print("ran")' }]),
    status: 'queued', verdict: null, result: null, error: null, createdAt: new Date(), startedAt: null, finishedAt: null,
  };
}

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

/** A row a dead worker left `running` (one attempt spent), and a runner on another node with the given recovery. */
async function interruptedRun(leaseRecovery: { maxAttempts: number } | null) {
  const store = await createSqliteStore(':memory:');
  stores.push(store);
  const row = submission();
  await store.createSubmission(row, { nodeId: 'api' });
  expect(await store.transition(row.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'dead-worker' })).toBe(true);
  const engine = countingEngine();
  const events: SubmissionEvent[] = [];
  const runner = new SubmissionRunner({
    engine, store, interactive: new InteractiveRegistry(), publish: (event) => events.push(event), stopping: () => false, nodeId: 'second-worker', leaseRecovery,
  });
  return { store, row, engine, events, runner };
}

async function attemptsOf(store: Store, id: string): Promise<number | undefined> {
  // claimOrphans is the store's one reader of attempts; claiming for a fresh node id takes the row from the dead one.
  const orphans = await store.claimOrphans('reader', new Date(Date.now() + 60_000));
  return orphans.find((orphan) => orphan.submission.id === id)?.attempts;
}

describe('SubmissionRunner', () => {
  describe('when the queue recovers through leases and a job is claimed a second time', () => {
    it('should take the running row over, run it once more and record the attempt', async () => {
      const { store, row, engine, events, runner } = await interruptedRun({ maxAttempts: 2 });
      await expect(runner.run(jobOf(row), new AbortController().signal, { attempt: 2 })).resolves.toMatchObject({ stdout: 'ran\n' });
      expect(engine.runs).toBe(1);
      expect(await store.getSubmission(row.id)).toMatchObject({ status: 'completed', verdict: 'accepted' });
      expect(events.map((event) => event.type)).toEqual(['started', 'completed']);
    });

    it('should count the takeover as a start in the store', async () => {
      const { store, row } = await interruptedRun({ maxAttempts: 2 });
      // Interrupted again: left running, as a SIGKILLed worker leaves it.
      const runner = new SubmissionRunner({
        engine: { languages: () => [], execute: () => new Promise(() => undefined), startInteractive: () => Promise.reject(new Error('not used')) },
        store, interactive: new InteractiveRegistry(), publish: () => undefined, stopping: () => false, nodeId: 'second-worker', leaseRecovery: { maxAttempts: 2 },
      });
      void runner.run(jobOf(row), new AbortController().signal, { attempt: 2 });
      await expect.poll(() => attemptsOf(store, row.id)).toBe(2);
    });
  });

  describe('when a job is claimed more often than maxAttempts allows', () => {
    it('should fail it with internal_error without running it', async () => {
      const { store, row, engine, events, runner } = await interruptedRun({ maxAttempts: 2 });
      await expect(runner.run(jobOf(row), new AbortController().signal, { attempt: 3 })).rejects.toThrow(/interrupted 2 times/);
      expect(engine.runs).toBe(0);
      expect(await store.getSubmission(row.id)).toMatchObject({ status: 'failed', verdict: 'internal_error', error: expect.stringContaining('interrupted 2 times') });
      expect(events.map((event) => event.type)).toEqual(['failed']);
    });
  });

  describe('when the queue is the in-process one (recovery at start-up)', () => {
    it('should leave a running row alone and run nothing', async () => {
      const { store, row, engine, runner } = await interruptedRun(null);
      await expect(runner.run(jobOf(row), new AbortController().signal, { attempt: 2 })).rejects.toThrow(/no longer queued/);
      expect(engine.runs).toBe(0);
      expect(await store.getSubmission(row.id)).toMatchObject({ status: 'running' });
    });
  });

  describe('when a run stalls past its lease and another run takes the job over', () => {
    it('should drop the stalled run\'s late result and keep the one of the run that took over', async () => {
      const store = await createSqliteStore(':memory:');
      stores.push(store);
      const row = submission();
      await store.createSubmission(row, { nodeId: 'api' });
      const releases: Array<(result: ExecutionResult) => void> = [];
      const held: Engine = {
        languages: () => [],
        execute: () => new Promise<ExecutionResult>((resolve) => releases.push(resolve)),
        startInteractive: () => Promise.reject(new Error('not used')),
      };
      const events: Array<{ node: string; event: SubmissionEvent }> = [];
      const warnings: string[] = [];
      const runnerOn = (node: string, engine: Engine) =>
        new SubmissionRunner({
          engine, store, interactive: new InteractiveRegistry(), publish: (event) => events.push({ node, event }), stopping: () => false, nodeId: node,
          leaseRecovery: { maxAttempts: 2 }, logger: { info: () => undefined, warn: (_fields: unknown, message?: string) => void warnings.push(String(message)) } as never,
        });
      const first = runnerOn('stalled-worker', held).run(jobOf(row), new AbortController().signal, { attempt: 1 });
      await expect.poll(() => releases.length).toBe(1);
      const second = runnerOn('second-worker', held).run(jobOf(row), new AbortController().signal, { attempt: 2 });
      await expect.poll(() => releases.length).toBe(2);

      // The stalled run wakes up first, while the row is `running` under the run that took it over.
      releases[0]!({ ...RESULT, stdout: 'late\n' });
      await first;
      expect(await store.getSubmission(row.id)).toMatchObject({ status: 'running', result: null });
      releases[1]!(RESULT);
      await second;

      expect(await store.getSubmission(row.id)).toMatchObject({ status: 'completed', result: { stdout: 'ran\n' } });
      expect(events.filter(({ event }) => event.type === 'completed').map(({ node }) => node)).toEqual(['second-worker']);
      expect(warnings.some((message) => message.includes('result was dropped'))).toBe(true);
    });
  });
});
