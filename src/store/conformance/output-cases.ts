// Conformance cases for stored output: truncation marks survive, each text is kept once, and history previews stay small.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../../domain/result.js';
import { LIST_PREVIEW_CHARS } from '../../domain/result-preview.js';
import { at, completedPatch, makeCompileStage, makeResult, makeSubmission, makeTestCase } from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** Characters of every output text of a result together. */
function textChars(result: ExecutionResult): number {
  const stages = [...(result.compile ? [result.compile] : []), ...result.testCases];
  const stageChars = stages.reduce((sum, stage) => sum + stage.stdout.length + stage.stderr.length, 0);
  const expected = result.testCases.reduce((sum, testCase) => sum + (testCase.expectedOutput?.length ?? 0), 0);
  return result.stdout.length + result.stderr.length + stageChars + expected;
}

export function describeOutputCases(harness: StoreHarness): void {
  async function finish(result: ExecutionResult) {
    const store = await harness.fresh();
    const submission = makeSubmission();
    await store.createSubmission(submission);
    await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' });
    await store.transition(submission.id, ['queued', 'running'], completedPatch(result, at(2)));
    return { store, submission };
  }

  describe('when a result had output cut to the submission cap', () => {
    it('should read back every truncation mark exactly', async () => {
      const testCases = [makeTestCase(0, { stdoutTruncated: true }), makeTestCase(1), makeTestCase(2, { stdout: '', stderrTruncated: true, stdoutTruncated: true })];
      const result = makeResult(3, { testCases, compile: makeCompileStage({ stderrTruncated: true }), outputTruncated: true });
      const { store, submission } = await finish(result);
      expect((await store.getSubmission(submission.id))?.result).toEqual(result);
    });
  });

  describe('when the top-level output is not a copy of the first run', () => {
    it('should read back the top-level output as written', async () => {
      const result = makeResult(2, { stdout: 'only at the top\n', stderr: 'warning\n' });
      const { store, submission } = await finish(result);
      expect((await store.getSubmission(submission.id))?.result).toEqual(result);
    });
  });

  describe('when a compile failed', () => {
    it("should read back the compiler's messages in the compile stage and at the top level", async () => {
      const compile = makeCompileStage({ verdict: 'compilation_error', stdout: 'main.ts(1,1): error TS1\n', stderr: 'main.c:1: error\n', exitCode: 1, message: 'compilation failed' });
      const result: ExecutionResult = { ...makeResult(1, { verdict: 'compilation_error', compile, testCases: [], exitCode: null, message: 'compilation failed' }), stdout: '', stderr: compile.stdout + compile.stderr };
      const { store, submission } = await finish(result);
      expect((await store.getSubmission(submission.id))?.result).toEqual(result);
    });
  });

  describe('when history is read as previews', () => {
    it('should return each result with its texts cut to a preview and marked, and the figures unchanged', async () => {
      const big = 'x'.repeat(3 * LIST_PREVIEW_CHARS);
      const testCases = [makeTestCase(0, { stdout: big, expectedOutput: big }), makeTestCase(1, { stdout: big })];
      const result = makeResult(2, { testCases, stdout: big, outputTruncated: true });
      const { store, submission } = await finish(result);

      const [preview] = (await store.userHistory(submission.user.userId, { limit: 10, outputPreview: true })).map((entry) => entry.result!);
      expect(textChars(preview!)).toBeLessThanOrEqual(LIST_PREVIEW_CHARS);
      expect(preview).toMatchObject({ outputTruncated: true, verdict: result.verdict, wallTimeMs: result.wallTimeMs, testCases: [{ stdoutTruncated: true }, { stdoutTruncated: true }] });
      expect(preview!.stdout.length).toBeGreaterThan(0);
      expect(preview!.testCases.map((testCase) => testCase.cpuTimeMs)).toEqual(testCases.map((testCase) => testCase.cpuTimeMs));

      // Without the option, history still returns whole results.
      const [whole] = await store.userHistory(submission.user.userId, { limit: 10 });
      expect(whole?.result).toEqual(result);
    });

    it('should return a result that fits as it is', async () => {
      const result = makeResult(2);
      const { store, submission } = await finish(result);
      const [entry] = await store.roomHistory(submission.roomId!, { limit: 10, outputPreview: true });
      expect(entry?.result).toEqual(result);
    });
  });
}
