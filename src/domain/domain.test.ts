// Pure domain rules: verdict folding, lifecycle transitions, limit merging and checking, priorities.
import { describe, expect, it } from 'vitest';
import { canViewExecution, canViewUserHistory, queueEntriesVisibleTo, viewExecution } from './access.js';
import { canTransition, isTerminal } from './lifecycle.js';
import { findLimitViolations, mergeLimits, type ResourceLimits } from './limits.js';
import { effectivePriority } from './priority.js';
import type { TestCaseResult } from './result.js';
import { executionRequest, type Submission } from './submission.js';
import { overallVerdict } from './verdict.js';

const DEFAULTS: ResourceLimits = {
  cpuTimeMs: 1000,
  wallTimeMs: 2000,
  memoryMb: 128,
  processes: 32,
  outputBytes: 1000,
  fileSizeBytes: 1000,
  workDirMb: 16,
  openFiles: 64,
  stackMb: 8,
};

describe('overallVerdict', () => {
  it('should be accepted when every case is accepted or there are none', () => {
    expect(overallVerdict([])).toBe('accepted');
    expect(overallVerdict(['accepted', 'accepted'])).toBe('accepted');
  });

  it('should take the first failing case', () => {
    expect(overallVerdict(['accepted', 'wrong_answer', 'time_limit_exceeded'])).toBe('wrong_answer');
  });

  it('should never hide a service fault behind a program failure', () => {
    expect(overallVerdict(['wrong_answer', 'internal_error'])).toBe('internal_error');
  });
});

describe('lifecycle', () => {
  it('should allow queued → running → completed', () => {
    expect(canTransition('queued', 'running')).toBe(true);
    expect(canTransition('running', 'completed')).toBe(true);
  });

  it('should never leave a terminal status', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      expect(isTerminal(status)).toBe(true);
      expect(canTransition(status, 'running')).toBe(false);
    }
  });

  it('should let only an interrupted run go back to queued, and nothing go back to running', () => {
    expect(canTransition('running', 'queued')).toBe(true);
    expect(canTransition('running', 'running')).toBe(false);
    expect(canTransition('completed', 'queued')).toBe(false);
  });
});

describe('limits', () => {
  it('should layer overrides key by key, keeping defaults for absent keys', () => {
    const merged = mergeLimits(DEFAULTS, { memoryMb: 64 }, undefined, { cpuTimeMs: 500 });
    expect(merged).toEqual({ ...DEFAULTS, memoryMb: 64, cpuTimeMs: 500 });
  });

  it('should report every limit above its maximum', () => {
    expect(findLimitViolations({ memoryMb: 256, cpuTimeMs: 10, processes: 33 }, DEFAULTS)).toEqual([
      { key: 'memoryMb', requested: 256, maximum: 128 },
      { key: 'processes', requested: 33, maximum: 32 },
    ]);
  });

  it('should accept limits exactly at the maximum', () => {
    expect(findLimitViolations({ memoryMb: 128 }, DEFAULTS)).toEqual([]);
  });
});

describe('effectivePriority', () => {
  it('should run submit before run for the same role', () => {
    expect(effectivePriority('submit', 'user')).toBeGreaterThan(effectivePriority('run', 'user'));
  });

  it('should put teachers and admins ahead of users', () => {
    expect(effectivePriority('run', 'teacher')).toBeGreaterThan(effectivePriority('submit', 'user'));
    expect(effectivePriority('run', 'admin')).toBeGreaterThan(effectivePriority('run', 'teacher'));
  });
});

describe('access', () => {
  const owner = { userId: 'ann', displayName: 'Ann', avatar: null, role: 'user' as const };
  const other = { ...owner, userId: 'bob' };
  const teacher = { ...owner, userId: 'tess', role: 'teacher' as const };

  it('should show a private execution to its owner and staff only', () => {
    const execution = { user: owner, roomId: null };
    expect(canViewExecution(owner, execution)).toBe(true);
    expect(canViewExecution(teacher, execution)).toBe(true);
    expect(canViewExecution(other, execution)).toBe(false);
  });

  it('should show an execution run in a room to anyone', () => {
    expect(canViewExecution(other, { user: owner, roomId: 'r1' })).toBe(true);
  });

  it('should show a user\'s history to that user and staff only', () => {
    expect(canViewUserHistory(owner, 'ann')).toBe(true);
    expect(canViewUserHistory(teacher, 'ann')).toBe(true);
    expect(canViewUserHistory(other, 'ann')).toBe(false);
  });

  describe('when someone else views a judged execution', () => {
    const run = (index: number, expectedOutput: string | null): TestCaseResult => ({
      index, verdict: 'accepted', stdout: `out ${index}`, stderr: `err ${index}`, exitCode: 0, signal: null, cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3,
      invalidUtf8: false, message: null, expectedOutput,
    });
    const submission: Submission = {
      id: 'x', correlationId: 'c', roomId: 'r1', user: owner, title: null, priorityKind: 'run', priority: 1,
      request: executionRequest('python', [{ name: 'main.py', content: 'secret source' }], { stdin: 'secret stdin', args: ['secret arg'], testCases: [{ stdin: 'in 0', expectedOutput: 'out 0' }, { stdin: 'in 1' }] }),
      status: 'completed', verdict: 'accepted', error: null, createdAt: new Date(0), startedAt: new Date(1), finishedAt: new Date(2),
      result: { verdict: 'accepted', compile: null, compileCached: false, testCases: [run(0, 'out 0'), run(1, null)], stdout: 'out 0', stderr: 'err 0', exitCode: 0, signal: null, cpuTimeMs: 1, wallTimeMs: 4, memoryKb: 3, message: null },
    };

    it('should remove source, stdin, args, test inputs, expected outputs and judged runs\' output', () => {
      const view = viewExecution(other, submission);
      expect(view.complete).toBe(false);
      expect(view.submission.request).toMatchObject({ files: [], stdin: '', args: [], testCases: [{ stdin: '', expectedOutput: null }, { stdin: '', expectedOutput: null }] });
      expect(view.submission.result).toMatchObject({ stdout: '', stderr: '', wallTimeMs: 4, verdict: 'accepted' });
      expect(view.submission.result?.testCases[0]).toMatchObject({ stdout: '', stderr: '', expectedOutput: null, verdict: 'accepted', memoryKb: 3 });
      // A run without an expected output gives nothing away through its output, so room members still see it.
      expect(view.submission.result?.testCases[1]).toEqual(run(1, null));
      expect(JSON.stringify(view.submission)).not.toMatch(/secret|in 0|out 0/);
    });

    it('should give the owner and staff the submission unchanged', () => {
      expect(viewExecution(owner, submission)).toEqual({ submission, complete: true });
      expect(viewExecution(teacher, submission)).toEqual({ submission, complete: true });
    });
  });

  it('should list others\' private queue entries to staff only', () => {
    const entries = [{ userId: 'ann', roomId: null }, { userId: 'bob', roomId: null }, { userId: 'ann', roomId: 'r1' }];
    expect(queueEntriesVisibleTo(other, entries)).toEqual([entries[1], entries[2]]);
    expect(queueEntriesVisibleTo(teacher, entries)).toEqual(entries);
  });
});
