// Rows written before results carried a stored preview: read whole as before, and as bounded previews in history.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../../src/domain/result.js';
import { LIST_PREVIEW_CHARS } from '../../src/domain/result-preview.js';
import { at, completedPatch, makeCompileStage, makeResult, makeSubmission, makeTestCase } from '../../src/store/conformance/fixtures.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

let dir: string;
let path: string;
let store: Store;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runlane-legacy-'));
  path = join(dir, 'runlane.db');
  store = await createSqliteStore(path);
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('when a finished row has the earlier layout (outputs in columns, compile texts in the JSON, no preview)', () => {
  it('should read it whole by id and as a bounded, marked preview in history', async () => {
    const big = 'y'.repeat(5 * LIST_PREVIEW_CHARS);
    const result: ExecutionResult = makeResult(2, {
      testCases: [makeTestCase(0, { stdout: big }), makeTestCase(1, { stdout: big, expectedOutput: big })],
      stdout: big,
      compile: makeCompileStage({ stderr: big }),
    });
    const submission = makeSubmission({ roomId: `room-${randomUUID()}` });
    await store.createSubmission(submission);
    await store.transition(submission.id, ['queued'], { status: 'running', startedAt: at(1), nodeId: 'node-a' });
    await store.transition(submission.id, ['queued', 'running'], completedPatch(result, at(2)));

    // Rewrite the row the way the earlier layout stored it.
    const db = new Database(path);
    try {
      const { stdout, stderr, testCases: _testCases, ...rest } = result;
      db.prepare('update submissions set stdout = ?, stderr = ?, compile_output = ?, result = ? where id = ?').run(
        stdout, stderr, result.compile!.stdout + result.compile!.stderr, JSON.stringify(rest), submission.id,
      );
    } finally {
      db.close();
    }

    expect((await store.getSubmission(submission.id))?.result).toEqual(result);
    const [entry] = await store.roomHistory(submission.roomId!, { limit: 5, outputPreview: true });
    const preview = entry!.result!;
    expect(preview).toMatchObject({ outputTruncated: true, compile: { stderrTruncated: true }, testCases: [{ stdoutTruncated: true }, { stdoutTruncated: true }] });
    const chars = preview.stdout.length + preview.stderr.length + preview.compile!.stdout.length + preview.compile!.stderr.length
      + preview.testCases.reduce((sum, testCase) => sum + testCase.stdout.length + testCase.stderr.length + (testCase.expectedOutput?.length ?? 0), 0);
    expect(chars).toBeLessThanOrEqual(LIST_PREVIEW_CHARS);
    expect(preview.stdout).toBe(big.slice(0, LIST_PREVIEW_CHARS));
  });
});
