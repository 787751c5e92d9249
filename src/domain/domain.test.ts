// Pure domain rules: verdict folding, lifecycle transitions, limit merging and checking, priorities.
import { describe, expect, it } from 'vitest';
import { canViewExecution, canViewUserHistory } from './access.js';
import { canTransition, isTerminal } from './lifecycle.js';
import { findLimitViolations, mergeLimits, type ResourceLimits } from './limits.js';
import { effectivePriority } from './priority.js';
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

  it('should not go back from running to queued', () => {
    expect(canTransition('running', 'queued')).toBe(false);
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
});
