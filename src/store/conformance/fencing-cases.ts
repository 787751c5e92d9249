// Conformance cases for fenced writes and dead letters: a run that was taken over cannot finish, and only dead letters reopen.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FinishPatch, Store } from '../store.js';
import { at, completedPatch, makeResult, makeSubmission } from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** A stored submission started by the run named `token`. */
async function runningUnder(store: Store, token: string): Promise<string> {
  const submission = makeSubmission();
  await store.createSubmission(submission, { nodeId: 'node-a' });
  expect(await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a', runToken: token })).toBe(true);
  return submission.id;
}

function serviceFailure(token: string | undefined, deadLetter: boolean): FinishPatch {
  return { status: 'failed', verdict: 'internal_error', result: null, error: 'interrupted 2 times', finishedAt: at(5), deadLetter, ...(token ? { runToken: token } : {}) };
}

export function describeFencingCases(harness: StoreHarness): void {
  describe('when a run that lost its lease writes after another run took the submission over', () => {
    it('should refuse the stale run\'s finish and keep the one of the run that holds it', async () => {
      const store = await harness.fresh();
      const stale = randomUUID();
      const id = await runningUnder(store, stale);
      // The takeover: back to queued (unfenced, the other run is gone) and started again under a new token.
      expect(await store.transition(id, ['running'], { status: 'queued' })).toBe(true);
      const current = randomUUID();
      expect(await store.transition(id, ['queued'], { status: 'running', startedAt: at(3), nodeId: 'node-b', runToken: current })).toBe(true);

      expect(await store.transition(id, ['running'], { ...completedPatch(makeResult(1, { stdout: 'stale\n' }), at(4)), runToken: stale })).toBe(false);
      expect(await store.getSubmission(id)).toMatchObject({ status: 'running', result: null });
      expect(await store.transition(id, ['running'], { ...completedPatch(makeResult(1), at(6)), runToken: current })).toBe(true);
      expect(await store.getSubmission(id)).toMatchObject({ status: 'completed', finishedAt: at(6) });
    });

    it('should refuse the stale run\'s requeue, so it cannot undo the takeover either', async () => {
      const store = await harness.fresh();
      const id = await runningUnder(store, randomUUID());
      expect(await store.transition(id, ['running'], { status: 'queued', runToken: randomUUID() })).toBe(false);
      expect((await store.getSubmission(id))?.status).toBe('running');
    });

    it('should apply a fenced finish of the run that holds the row, and an unfenced one as before', async () => {
      const store = await harness.fresh();
      const token = randomUUID();
      const fenced = await runningUnder(store, token);
      expect(await store.transition(fenced, ['running'], { ...completedPatch(makeResult(1), at(4)), runToken: token })).toBe(true);
      const unfenced = await runningUnder(store, randomUUID());
      expect(await store.transition(unfenced, ['running'], completedPatch(makeResult(1), at(4)))).toBe(true);
    });
  });

  describe('when a submission is failed by the service as a dead letter', () => {
    it('should list it, newest first, and not list other failures', async () => {
      const store = await harness.fresh();
      const dead = await runningUnder(store, 'run-1');
      const ordinary = await runningUnder(store, 'run-2');
      expect(await store.transition(dead, ['running'], serviceFailure('run-1', true))).toBe(true);
      expect(await store.transition(ordinary, ['running'], serviceFailure('run-2', false))).toBe(true);
      const letters = await store.listDeadLetters({ limit: 10 });
      expect(letters.map((letter) => letter.submission.id)).toEqual([dead]);
      expect(letters[0]).toMatchObject({ attempts: 1, retries: 0, deadLetteredAt: at(5), submission: { status: 'failed', verdict: 'internal_error' } });
    });

    it('should queue it again once as a new attempt cycle under the same id, and refuse anything else', async () => {
      const store = await harness.fresh();
      const dead = await runningUnder(store, 'run-1');
      expect(await store.transition(dead, ['running'], serviceFailure('run-1', true))).toBe(true);
      const completed = await runningUnder(store, 'run-2');
      expect(await store.transition(completed, ['running'], completedPatch(makeResult(1), at(4)))).toBe(true);

      const requeued = await store.requeueDeadLetter(dead);
      expect(requeued).toMatchObject({ id: dead, status: 'queued', verdict: null, error: null, result: null, startedAt: null, finishedAt: null });
      expect(await store.requeueDeadLetter(dead)).toBeNull();
      expect(await store.requeueDeadLetter(completed)).toBeNull();
      expect(await store.requeueDeadLetter(randomUUID())).toBeNull();
      expect(await store.listDeadLetters({ limit: 10 })).toEqual([]);

      // The new cycle counts its starts from one again, and a second dead-lettering shows the earlier retry.
      expect(await store.transition(dead, ['queued'], { status: 'running', startedAt: at(7), nodeId: 'node-b', runToken: 'run-3' })).toBe(true);
      expect(await store.transition(dead, ['running'], serviceFailure('run-3', true))).toBe(true);
      expect((await store.listDeadLetters({ limit: 10 }))[0]).toMatchObject({ attempts: 1, retries: 1 });
    });
  });

  describe('when queued submissions are listed for re-enqueueing', () => {
    it('should list only queued ones created before the instant, oldest first', async () => {
      const store = await harness.fresh();
      const older = makeSubmission({ createdAt: at(1) });
      const newer = makeSubmission({ createdAt: at(2) });
      const recent = makeSubmission({ createdAt: at(10) });
      for (const submission of [newer, older, recent]) await store.createSubmission(submission);
      const started = await runningUnder(store, 'run-1');
      const listed = (await store.listQueued(at(5), 100)).map((submission) => submission.id);
      expect(listed.filter((id) => [older.id, newer.id, recent.id, started].includes(id))).toEqual([older.id, newer.id]);
    });
  });
}
