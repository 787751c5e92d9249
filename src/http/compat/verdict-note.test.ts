// The reason line seed clients get for a run that did not succeed.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../../domain/result.js';
import type { Submission } from '../../domain/submission.js';
import { CODERANK_TIMEOUT, verdictNote, withNote } from './verdict-note.js';

function submission(fields: Partial<Submission> & { message?: string | null }): Submission {
  const { message = null, ...rest } = fields;
  const result = { verdict: rest.verdict ?? 'accepted', message } as unknown as ExecutionResult;
  return { status: 'completed', verdict: 'accepted', error: null, result, ...rest } as unknown as Submission;
}

describe('verdictNote', () => {
  it.each([
    [{ verdict: 'time_limit_exceeded', message: 'CPU time limit of 5000 ms exceeded' }, 'plain', 'Time limit exceeded: CPU time limit of 5000 ms exceeded'],
    [{ verdict: 'time_limit_exceeded', message: 'wall-time limit of 10000 ms exceeded' }, 'coderank', CODERANK_TIMEOUT],
    [{ verdict: 'memory_limit_exceeded', message: 'memory limit of 256 MB exceeded' }, 'coderank', 'Memory limit exceeded: memory limit of 256 MB exceeded'],
    [{ verdict: 'runtime_error', message: 'killed by signal SIGSEGV' }, 'plain', 'Runtime error: killed by signal SIGSEGV'],
    [{ verdict: 'output_limit_exceeded', message: null }, 'plain', 'Output limit exceeded'],
    [{ status: 'failed', verdict: null, result: null, error: 'sandbox unavailable' }, 'plain', 'Internal error: sandbox unavailable'],
    [{ status: 'cancelled', verdict: null, result: null, error: 'cancelled by u1' }, 'coderank', 'Cancelled: cancelled by u1'],
  ] as const)('should word %j for %s clients', (fields, wording, note) => {
    expect(verdictNote(submission(fields as Partial<Submission>), wording)).toBe(note);
  });

  it.each([
    [{ verdict: 'accepted' }],
    [{ status: 'queued', verdict: null, result: null }],
    [{ status: 'running', verdict: null, result: null }],
  ] as const)('should have nothing to say for %j', (fields) => {
    expect(verdictNote(submission(fields as Partial<Submission>), 'plain')).toBeNull();
  });
});

describe('withNote', () => {
  it('should put the note on a line of its own after the output, or alone when there was none', () => {
    expect(withNote('partial', 'Execution timeout')).toBe('partial\nExecution timeout');
    expect(withNote('line\n', 'Execution timeout')).toBe('line\nExecution timeout');
    expect(withNote('', 'Execution timeout')).toBe('Execution timeout');
    expect(withNote('fine\n', null)).toBe('fine\n');
  });
});
