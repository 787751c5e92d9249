// Room payloads of finished executions: a small preview, never the submitter's expected outputs.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult, TestCaseResult } from '../domain/result.js';
import type { Submission } from '../domain/submission.js';
import { completionFields, historyEntry, ROOM_EVENT_OUTPUT_CHARS } from './execution-payloads.js';

const testCase = (index: number, stdout: string, judged: boolean): TestCaseResult => ({
  index, verdict: judged ? 'wrong_answer' : 'accepted', stdout, stderr: '', invalidUtf8: false, message: judged ? 'differs' : null,
  expectedOutput: judged ? `hidden answer ${index}` : null, cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, exitCode: 0, signal: null,
});

function result(stdout: string, judged = true): ExecutionResult {
  const testCases = [testCase(0, stdout, judged), testCase(1, stdout, judged)];
  return { verdict: 'wrong_answer', compile: null, compileCached: false, testCases, stdout, stderr: '', exitCode: 0, signal: null, cpuTimeMs: 1, wallTimeMs: 4, memoryKb: 3, message: 'test case 1: differs' };
}

describe('when a finished execution is broadcast to its room', () => {
  it('should carry the result without any expected output, and judged runs without their output', () => {
    const fields = completionFields(result('out\n'));
    expect(fields).toMatchObject({ verdict: 'wrong_answer', success: false, output: '', truncated: false });
    expect(JSON.stringify(fields)).not.toContain('hidden answer');
    for (const entry of fields.result.testCases) expect(entry).not.toHaveProperty('expectedOutput');
  });

  it('should carry at most a preview of a huge output, marked truncated', () => {
    const fields = completionFields(result('x'.repeat(10 * 1024 * 1024), false));
    expect(fields.truncated).toBe(true);
    expect(fields.result).toMatchObject({ outputTruncated: true, testCases: [{ stdoutTruncated: true }, { stdoutTruncated: true }] });
    expect(JSON.stringify(fields).length).toBeLessThan(ROOM_EVENT_OUTPUT_CHARS + 4 * 1024);
  });
});

describe('when a finished plain run is broadcast to its room', () => {
  it('should carry its output, since room members see it live anyway', () => {
    expect(completionFields(result('out\n', false))).toMatchObject({ output: 'out\n', truncated: false });
  });
});

describe('when a stored execution is listed in the room history', () => {
  it('should mark an entry whose output is a preview as truncated', () => {
    const stored = { ...result('short'), outputTruncated: true };
    const submission = {
      id: 'id', correlationId: 'c', roomId: 'r', user: { userId: 'u', displayName: 'U', avatar: null, role: 'user' }, title: null, priorityKind: 'run', priority: 1,
      request: { language: 'python' }, status: 'completed', verdict: 'wrong_answer', result: stored, error: null, createdAt: new Date(0), startedAt: null, finishedAt: null,
    } as unknown as Submission;
    expect(historyEntry(submission)).toMatchObject({ output: 'short', truncated: true });
    expect(historyEntry({ ...submission, result: result('x'.repeat(5_000)) })).toMatchObject({ output: 'x'.repeat(4096), truncated: true });
    expect(historyEntry({ ...submission, result: result('short') })).toMatchObject({ truncated: false });
  });
});
