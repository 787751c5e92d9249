// The verdict line carries the verdict, its reason, time, memory and how the compile went.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult } from '../domain/result.js';
import { formatMemory, formatVerdictLine } from './format-verdict.js';

const result: ExecutionResult = {
  verdict: 'accepted', compile: null, compileCached: false, testCases: [], stdout: '', stderr: '', exitCode: 0, signal: null, cpuTimeMs: 12, wallTimeMs: 35, memoryKb: 8400, message: null,
};
const compile = { verdict: 'accepted' as const, stdout: '', stderr: '', invalidUtf8: false, message: null, cpuTimeMs: 1, wallTimeMs: 310, memoryKb: 1, exitCode: 0, signal: null };

describe('when formatting a verdict line', () => {
  it('should show time and memory of a run', () => {
    expect(formatVerdictLine(result)).toBe('accepted · 12 ms CPU · 35 ms wall · 8.2 MB');
  });

  it('should give the reason and the compile', () => {
    expect(formatVerdictLine({ ...result, verdict: 'runtime_error', message: 'exited with code 3', compile })).toBe(
      'runtime_error (exited with code 3) · 12 ms CPU · 35 ms wall · 8.2 MB · compiled in 310 ms',
    );
    expect(formatVerdictLine({ ...result, compile, compileCached: true })).toMatch(/compile cached$/);
  });

  it('should leave figures out of a compilation error', () => {
    expect(formatVerdictLine({ ...result, verdict: 'compilation_error', message: 'compilation failed', compile })).toBe('compilation_error (compilation failed) · compiled in 310 ms');
  });

  it('should say when output was cut to the submission output cap', () => {
    expect(formatVerdictLine({ ...result, outputTruncated: true })).toBe('accepted · 12 ms CPU · 35 ms wall · 8.2 MB · output cut to limits.maxSubmissionOutputBytes');
  });

  it('should print small memory in KB', () => {
    expect(formatMemory(900)).toBe('900 KB');
  });
});
