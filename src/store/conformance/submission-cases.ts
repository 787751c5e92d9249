// Conformance cases for writing and reading submissions: exact round-trips, idempotency, status moves.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/index.js';
import type { Submission } from '../../domain/submission.js';
import { DuplicateCorrelationIdError } from '../store-errors.js';
import { at, completedPatch, makeCompileStage, makeResult, makeSubmission, makeTestCase } from './fixtures.js';
import { rejectionOf, type StoreHarness } from './harness.js';

/** A submission using every optional part of a request. */
function richSubmission(): Submission {
  return makeSubmission({
    title: 'Übung 3 — 素数 🧮',
    user: { userId: `user-${randomUUID()}`, displayName: 'Grace Hopper', avatar: 'https://example.test/a.png', role: 'teacher' },
    priorityKind: 'submit',
    priority: 12,
    request: {
      language: 'c',
      version: null,
      files: [
        { name: 'util.h', content: 'int twice(int);\n' },
        { name: 'main.c', content: '#include "util.h"\nint main(void) { return 0; }\n' },
      ],
      entry: 'main.c',
      stdin: '',
      args: ['--fast', 'naïve value'],
      testCases: [{ stdin: '1\n', expectedOutput: '2\n' }, { stdin: '2\n', expectedOutput: null }, { stdin: '3\n' }],
      limits: { cpuTimeMs: 1500, memoryMb: 64 },
      compareMode: 'exact',
      outputEncoding: 'base64',
    },
  });
}

export function describeSubmissionCases(harness: StoreHarness): void {
  describe('when a submission is inserted', () => {
    it('should read back exactly what was inserted', async () => {
      const store = await harness.fresh();
      const submission = makeSubmission();
      await store.createSubmission(submission);
      expect(await store.getSubmission(submission.id)).toEqual(submission);
    });

    it('should round-trip every optional part of the request', async () => {
      const store = await harness.fresh();
      const submission = richSubmission();
      await store.createSubmission(submission);
      expect(await store.getSubmission(submission.id)).toEqual(submission);
    });

    it('should return null for an unknown id', async () => {
      const store = await harness.fresh();
      expect(await store.getSubmission(randomUUID())).toBeNull();
    });

    it('should round-trip the request fingerprint, and read a submission without one back without one', async () => {
      const store = await harness.fresh();
      const fingerprinted = makeSubmission({ fingerprint: 'a'.repeat(64) });
      const without = makeSubmission();
      await store.createSubmission(fingerprinted);
      await store.createSubmission(without);
      expect(await store.getSubmission(fingerprinted.id)).toEqual(fingerprinted);
      expect((await store.findByCorrelationId(fingerprinted.user.userId, fingerprinted.correlationId))?.fingerprint).toBe('a'.repeat(64));
      const read = await store.getSubmission(without.id);
      expect(read).toEqual(without);
      expect(read && 'fingerprint' in read).toBe(false);
    });

    it('should find it by (user, correlationId) and by nothing else', async () => {
      const store = await harness.fresh();
      const submission = makeSubmission();
      await store.createSubmission(submission);
      expect(await store.findByCorrelationId(submission.user.userId, submission.correlationId)).toEqual(submission);
      expect(await store.findByCorrelationId('someone-else', submission.correlationId)).toBeNull();
    });
  });

  describe('when the same user reuses a correlationId', () => {
    it('should throw DuplicateCorrelationIdError and keep the first submission', async () => {
      const store = await harness.fresh();
      const first = makeSubmission();
      await store.createSubmission(first);
      const second = makeSubmission({ user: first.user, correlationId: first.correlationId });
      const error = await rejectionOf(store.createSubmission(second));
      expect(error).toBeInstanceOf(DuplicateCorrelationIdError);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'RUNLANE_ERR_STORE_DUPLICATE_CORRELATION_ID', statusCode: 409, correlationId: first.correlationId });
      expect(await store.getSubmission(second.id)).toBeNull();
      expect(await store.findByCorrelationId(first.user.userId, first.correlationId)).toEqual(first);
    });

    it('should accept the same correlationId from another user', async () => {
      const store = await harness.fresh();
      const first = makeSubmission();
      const other = makeSubmission({ correlationId: first.correlationId });
      await store.createSubmission(first);
      await store.createSubmission(other);
      expect(await store.findByCorrelationId(other.user.userId, first.correlationId)).toEqual(other);
    });
  });

  describe('when a submission runs and finishes', () => {
    it('should record the start, then the full result with every test case', async () => {
      const store = await harness.fresh();
      const submission = richSubmission();
      await store.createSubmission(submission);
      await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(10), nodeId: 'node-a' });
      expect(await store.getSubmission(submission.id)).toEqual({ ...submission, status: 'running', startedAt: at(10) });

      const testCases = [makeTestCase(0), makeTestCase(1, { verdict: 'wrong_answer', stdout: '5\n', expectedOutput: null }), makeTestCase(2, { verdict: 'runtime_error', exitCode: null, signal: 'SIGSEGV', invalidUtf8: true, message: 'killed by SIGSEGV' })];
      const result = makeResult(3, { verdict: 'wrong_answer', compile: makeCompileStage(), compileCached: true, testCases, message: 'test case 2 failed' });
      await store.transition(submission.id, ['queued', 'running'], completedPatch(result, at(900)));
      expect(await store.getSubmission(submission.id)).toEqual({ ...submission, status: 'completed', verdict: 'wrong_answer', result, startedAt: at(10), finishedAt: at(900) });
    });

    it('should let a queued submission be cancelled without a result', async () => {
      const store = await harness.fresh();
      const submission = makeSubmission();
      await store.createSubmission(submission);
      await store.transition(submission.id, ['queued', 'running'], { status: 'cancelled', verdict: null, result: null, error: 'cancelled by owner', finishedAt: at(5) });
      expect(await store.getSubmission(submission.id)).toEqual({ ...submission, status: 'cancelled', error: 'cancelled by owner', finishedAt: at(5) });
    });

    it('should round-trip unicode and a 1 MB stdout exactly', async () => {
      const store = await harness.fresh();
      const submission = makeSubmission();
      await store.createSubmission(submission);
      const line = 'héllo wörld — 你好世界 — 🚀👩‍💻 — e\u0301 — \u0000 — \t\r\n';
      // Whole lines only: cutting inside an emoji would leave a lone surrogate, which no UTF-8 column can hold.
      const stdout = line.repeat(Math.ceil(1_048_576 / Buffer.byteLength(line)));
      expect(Buffer.byteLength(stdout)).toBeGreaterThanOrEqual(1_048_576);
      const result = makeResult(1, { stdout, stderr: 'Traceback: ошибка ✗\n', testCases: [makeTestCase(0, { stdout })] });
      await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' });
      await store.transition(submission.id, ['queued', 'running'], completedPatch(result, at(2)));
      const read = await store.getSubmission(submission.id);
      expect(read?.result?.stdout === stdout).toBe(true);
      expect(read?.result?.testCases[0]?.stdout === stdout).toBe(true);
      expect(read?.result).toEqual(result);
    });
  });

  describe('when a status move is not allowed', () => {
    it('should report an unknown id as not applied and write nothing', async () => {
      const store = await harness.fresh();
      expect(await store.transition(randomUUID(), ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' })).toBe(false);
      expect(await store.transition(randomUUID(), ['queued', 'running'], completedPatch(makeResult(), at(1)))).toBe(false);
    });

    it('should apply a move once: a repeated or late one is a no-op that leaves the submission unchanged', async () => {
      const store = await harness.fresh();
      const submission = makeSubmission();
      await store.createSubmission(submission);
      expect(await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' })).toBe(true);
      expect(await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(2), nodeId: 'node-a' })).toBe(false);
      expect(await store.transition(submission.id, ['running'], completedPatch(makeResult(), at(3)))).toBe(true);
      const finished = await store.getSubmission(submission.id);
      const late = { status: 'failed', verdict: 'internal_error', result: null, error: 'late', finishedAt: at(4) } as const;
      expect(await store.transition(submission.id, ['queued', 'running', 'completed'], late)).toBe(false);
      expect(await store.getSubmission(submission.id)).toEqual(finished);
    });

    it('should write nothing when the test-case rows cannot be written', async () => {
      const store = await harness.fresh();
      const submission = makeSubmission();
      await store.createSubmission(submission);
      await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' });
      // Two cases with the same index cannot both be stored; the status update must roll back with them.
      const broken = makeResult(2, { testCases: [makeTestCase(0), makeTestCase(0)] });
      expect(await rejectionOf(store.transition(submission.id, ['queued', 'running'], completedPatch(broken, at(2))))).toBeInstanceOf(AppError);
      expect(await store.getSubmission(submission.id)).toMatchObject({ status: 'running', result: null, finishedAt: null });
    });
  });
}
