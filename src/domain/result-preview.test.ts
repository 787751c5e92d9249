// Result previews: every text of a result shares one size, cut texts are marked, figures and verdicts stay.
import { describe, expect, it } from 'vitest';
import type { ExecutionResult, TestCaseResult } from './result.js';
import { cutText, previewResult } from './result-preview.js';

const testCase = (index: number, stdout: string, expectedOutput: string | null = null): TestCaseResult => ({
  index, verdict: 'accepted', stdout, stderr: '', invalidUtf8: false, message: null, expectedOutput, cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, exitCode: 0, signal: null,
});

const result = (testCases: TestCaseResult[]): ExecutionResult => ({
  verdict: 'accepted', compile: null, compileCached: false, testCases, stdout: testCases[0]?.stdout ?? '', stderr: '',
  exitCode: 0, signal: null, cpuTimeMs: 1, wallTimeMs: 2, memoryKb: 3, message: null,
});

describe('when cutting one text', () => {
  it('should keep short text as it is', () => {
    expect(cutText('hello', 10)).toBe('hello');
  });

  it('should cut on a multiple of 4 characters, so base64 still decodes', () => {
    const base64 = Buffer.from('abcdefghijkl').toString('base64');
    const cut = cutText(base64, 11);
    expect(cut).toHaveLength(8);
    expect(Buffer.from(cut, 'base64').toString()).toBe('abcdef');
  });

  it('should not split a surrogate pair', () => {
    expect(cutText('abc🚀def', 4)).toBe('abc');
  });
});

describe('when previewing a result', () => {
  it('should leave a result that fits unchanged, without flags', () => {
    const small = result([testCase(0, 'out\n', 'out')]);
    expect(previewResult(small, 1_000)).toEqual(small);
  });

  it('should share the size among the texts in order, mark what was cut and keep every figure', () => {
    const big = result([testCase(0, 'a'.repeat(100)), testCase(1, 'b'.repeat(100), 'c'.repeat(100))]);
    const preview = previewResult(big, 160);
    expect(preview.stdout).toBe('a'.repeat(100));
    expect(preview.testCases[0]).toMatchObject({ stdout: 'a'.repeat(60), stdoutTruncated: true, verdict: 'accepted', cpuTimeMs: 1 });
    expect(preview.testCases[1]).toMatchObject({ stdout: '', stdoutTruncated: true, expectedOutput: '' });
    expect(preview.testCases[1]).not.toHaveProperty('stderrTruncated');
    expect(preview).toMatchObject({ outputTruncated: true, verdict: 'accepted', wallTimeMs: 2 });
  });

  it('should keep the flags of a result that was already cut, even when the preview cuts nothing more', () => {
    const cut: ExecutionResult = { ...result([{ ...testCase(0, 'x'), stdoutTruncated: true }]), outputTruncated: true };
    expect(previewResult(cut, 1_000)).toEqual(cut);
  });

  it('should count the compile stage', () => {
    const { index: _index, expectedOutput: _expected, ...stage } = testCase(0, '');
    const compiled: ExecutionResult = { ...result([testCase(0, 'ok')]), compile: { ...stage, stderr: 'w'.repeat(50) } };
    const preview = previewResult(compiled, 20);
    expect(preview.compile).toMatchObject({ stderr: 'w'.repeat(16), stderrTruncated: true });
  });
});
