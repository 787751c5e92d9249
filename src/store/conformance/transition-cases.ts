// Conformance cases for guarded status moves: the lifecycle table decides, anything else is a reported no-op.
import { describe, expect, it } from 'vitest';
import { SUBMISSION_STATUSES, type SubmissionStatus } from '../../domain/lifecycle.js';
import type { Store, TransitionPatch } from '../store.js';
import { at, completedPatch, makeResult, makeSubmission } from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** Every move a store must apply; every other (from, to) pair must be refused. */
const ALLOWED = new Set(['queued>running', 'queued>cancelled', 'queued>failed', 'running>completed', 'running>failed', 'running>cancelled', 'running>queued']);

function patchFor(status: SubmissionStatus, when: number): TransitionPatch {
  switch (status) {
    case 'queued':
      return { status: 'queued' };
    case 'running':
      return { status: 'running', startedAt: at(when), nodeId: 'node-b' };
    case 'completed':
      return completedPatch(makeResult(1), at(when));
    case 'failed':
      return { status: 'failed', verdict: 'internal_error', result: null, error: 'sandbox unavailable', finishedAt: at(when) };
    case 'cancelled':
      return { status: 'cancelled', verdict: null, result: null, error: 'cancelled by its owner', finishedAt: at(when) };
  }
}

/** A stored submission walked to `status` through allowed moves. */
async function submissionIn(store: Store, status: SubmissionStatus): Promise<string> {
  const submission = makeSubmission();
  await store.createSubmission(submission, { nodeId: 'node-a' });
  if (status === 'queued') return submission.id;
  if (status !== 'cancelled' && status !== 'failed') await store.transition(submission.id, ['queued'], patchFor('running', 1));
  if (status !== 'running') await store.transition(submission.id, ['queued', 'running'], patchFor(status, 2));
  return submission.id;
}

export function describeTransitionCases(harness: StoreHarness): void {
  describe('when a status move is attempted from every status to every status', () => {
    const pairs = SUBMISSION_STATUSES.flatMap((from) => SUBMISSION_STATUSES.map((to) => [from, to] as const));
    it.each(pairs)('should apply %s → %s only when the lifecycle allows it, else write nothing', async (from, to) => {
      const store = await harness.fresh();
      const id = await submissionIn(store, from);
      const before = await store.getSubmission(id);
      expect(before?.status).toBe(from);
      const applied = await store.transition(id, [from], patchFor(to, 3));
      expect(applied).toBe(ALLOWED.has(`${from}>${to}`));
      if (applied) expect((await store.getSubmission(id))?.status).toBe(to);
      else expect(await store.getSubmission(id)).toEqual(before);
    });

    it('should refuse a move when the current status is not among those named, even if allowed from it', async () => {
      const store = await harness.fresh();
      const id = await submissionIn(store, 'queued');
      expect(await store.transition(id, ['running'], patchFor('completed', 3))).toBe(false);
      expect((await store.getSubmission(id))?.status).toBe('queued');
    });

    it('should clear the start time when an interrupted run is queued again', async () => {
      const store = await harness.fresh();
      const id = await submissionIn(store, 'running');
      expect(await store.transition(id, ['running'], { status: 'queued' })).toBe(true);
      expect(await store.getSubmission(id)).toMatchObject({ status: 'queued', startedAt: null });
    });
  });

  describe('when an unstarted submission is deleted', () => {
    it('should delete a queued one and nothing that started or finished', async () => {
      const store = await harness.fresh();
      const queued = await submissionIn(store, 'queued');
      const running = await submissionIn(store, 'running');
      const cancelled = await submissionIn(store, 'cancelled');
      expect(await store.deleteUnstarted(queued)).toBe(true);
      expect(await store.getSubmission(queued)).toBeNull();
      expect(await store.deleteUnstarted(queued)).toBe(false);
      expect(await store.deleteUnstarted(running)).toBe(false);
      expect(await store.deleteUnstarted(cancelled)).toBe(false);
      expect((await store.getSubmission(running))?.status).toBe('running');
      expect((await store.getSubmission(cancelled))?.status).toBe('cancelled');
    });

    it('should free its correlationId for a new submission', async () => {
      const store = await harness.fresh();
      const first = makeSubmission();
      await store.createSubmission(first);
      await store.deleteUnstarted(first.id);
      const again = makeSubmission({ user: first.user, correlationId: first.correlationId });
      await store.createSubmission(again);
      expect(await store.findByCorrelationId(first.user.userId, first.correlationId)).toEqual(again);
    });
  });
}
