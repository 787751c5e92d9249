// RemoteOutcomeRelay: an API node's view of runs on other nodes, published from what the store holds.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../domain/result.js';
import { executionRequest, type Submission } from '../domain/submission.js';
import { silentLogger } from '../logging/logger.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { entryOf, jobOf } from './queued-job.js';
import { RemoteOutcomeRelay } from './remote-outcome-relay.js';
import type { SubmissionEvent } from './types.js';

const RESULT: ExecutionResult = {
  verdict: 'accepted', compile: null, compileCached: false, testCases: [], stdout: 'stored\n', stderr: '', exitCode: 0, signal: null,
  cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, message: null,
};

function submission(): Submission {
  return {
    id: randomUUID(), correlationId: randomUUID(), roomId: 'room-1', user: { userId: 'alice', displayName: 'Alice', avatar: null, role: 'user' },
    title: null, priorityKind: 'run', priority: 0, request: executionRequest('python', [{ name: 'main.py', content: 'print(1)' }]),
    status: 'queued', verdict: null, result: null, error: null, createdAt: new Date(), startedAt: null, finishedAt: null,
  };
}

const stores: Store[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function setup() {
  const store = await createSqliteStore(':memory:');
  stores.push(store);
  const published: SubmissionEvent[] = [];
  const relay = new RemoteOutcomeRelay({ store, logger: silentLogger(), publish: (event) => published.push(event) });
  const row = submission();
  await store.createSubmission(row);
  return { store, relay, published, row, entry: entryOf(jobOf(row), null) };
}

describe('RemoteOutcomeRelay', () => {
  describe('when the queue reports a run finished on another node', () => {
    it('should publish the start, then the result the worker stored rather than the one in the message', async () => {
      const { store, relay, published, row, entry } = await setup();
      await store.transition(row.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'worker' });
      await store.transition(row.id, ['running'], { status: 'completed', verdict: 'accepted', result: RESULT, error: null, finishedAt: new Date() });
      relay.relay({ type: 'started', entry });
      relay.relay({ type: 'completed', entry, result: { ...RESULT, stdout: 'from the message\n' }, finishedAt: Date.now() });
      await relay.drain();
      expect(published.map((event) => event.type)).toEqual(['started', 'completed']);
      expect(published[1]).toMatchObject({ type: 'completed', result: { stdout: 'stored\n' } });
    });
  });

  describe('when the queue reports a failure for a job whose row says otherwise', () => {
    it('should publish nothing (the worker refused a job that was cancelled)', async () => {
      const { store, relay, published, row, entry } = await setup();
      await store.transition(row.id, ['queued'], { status: 'cancelled', verdict: null, result: null, error: 'cancelled by alice', finishedAt: new Date() });
      relay.relay({ type: 'failed', entry, error: 'no longer queued', finishedAt: Date.now() });
      relay.relay({ type: 'queued', entry });
      await relay.drain();
      expect(published).toEqual([]);
    });
  });

  describe('when a job whose run was stored is delivered again and refused', () => {
    it('should not publish its completion a second time', async () => {
      const { store, relay, published, row, entry } = await setup();
      await store.transition(row.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'worker' });
      await store.transition(row.id, ['running'], { status: 'completed', verdict: 'accepted', result: RESULT, error: null, finishedAt: new Date() });
      relay.relay({ type: 'failed', entry, error: 'no longer queued', finishedAt: Date.now() });
      await relay.drain();
      expect(published).toEqual([]);
    });
  });
});
