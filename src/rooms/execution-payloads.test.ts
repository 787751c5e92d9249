// Room payloads of finished executions: a small preview, never the submitter's expected outputs.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult, TestCaseResult } from '../domain/result.js';
import type { Submission } from '../domain/submission.js';
import type { QueueEntry, QueueSnapshot } from '../queue/job-queue.js';
import { completionFields, historyEntry, queueFigures, ROOM_EVENT_OUTPUT_CHARS, summaryFromEntry } from './execution-payloads.js';

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

describe('when a queue entry is sent to a room', () => {
  const entry: QueueEntry = {
    id: 'e1', correlationId: 'c1', roomId: 'r', userId: 'u', displayName: 'Ada', avatar: null, language: 'python', priority: 5,
    position: 7, roomPosition: 2, enqueuedAt: 0, startedAt: null,
  };

  it('should carry the contract fields only: both named positions, and the seed aliases beside them', () => {
    expect(summaryFromEntry(entry, 'queued')).toEqual({
      executionId: 'e1', correlationId: 'c1', userId: 'u', displayName: 'Ada', avatar: null, language: 'python', status: 'queued',
      roomPosition: 2, queuePosition: 7, username: 'Ada', position: 2, startTime: null,
      timestamps: { queuedAt: '1970-01-01T00:00:00.000Z', startedAt: null, finishedAt: null },
    });
  });

  it('should clear both positions once it runs, and never leak the internal priority', () => {
    const running = summaryFromEntry({ ...entry, startedAt: 1 }, 'running');
    expect(running).toMatchObject({ roomPosition: null, queuePosition: null, position: null });
    expect(running).not.toHaveProperty('priority');
  });
});

describe('when seed 001\'s client reads an execution', () => {
  const entry: QueueEntry = {
    id: 'e2', correlationId: 'c2', roomId: 'r', userId: 'u', displayName: 'Ada', avatar: null, language: 'python', priority: 5,
    position: 1, roomPosition: 1, enqueuedAt: 1_000, startedAt: null,
  };

  it('should find result.status as success or error, in its own words', () => {
    expect(completionFields(result('out\n', false)).result.status).toBe('error');
    expect(completionFields({ ...result('out\n', false), verdict: 'accepted' }).result.status).toBe('success');
  });

  it('should find timestamp (when requested) on queued entries and startTime on active ones', () => {
    const running = { ...entry, id: 'e3', startedAt: 3_000, position: 0, roomPosition: null };
    const snapshot: QueueSnapshot = { queued: [entry], active: [running], queueLength: 1, activeCount: 1, maxConcurrent: 4, oldestQueuedAgeMs: 0 };
    const figures = queueFigures(snapshot, { roomMaxConcurrent: 3, roomMaxQueued: 10 });
    expect(figures.queued[0]).toMatchObject({ timestamp: '1970-01-01T00:00:01.000Z', startTime: null });
    expect(figures.active[0]).toMatchObject({ timestamp: '1970-01-01T00:00:01.000Z', startTime: '1970-01-01T00:00:03.000Z' });
  });

  it('should find startTime on the started event\'s execution fields', () => {
    expect(summaryFromEntry({ ...entry, startedAt: 3_000 }, 'running').startTime).toBe('1970-01-01T00:00:03.000Z');
  });
});
