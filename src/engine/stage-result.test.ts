// Result building: decoded stages, the overall verdict, first-run copies and figures folded across runs.
import { describe, expect, it } from 'vitest';
import type { TestCaseResult } from '../domain/result.js';
import { OutputBudget } from './output-budget.js';
import { boundStage, joinCompilerOutput, stageResult, summarize, type RunRecord } from './stage-result.js';

const run: RunRecord = { stdout: Buffer.from('out\n'), stderr: Buffer.from([0xff]), exitCode: 0, signal: null, cpuTimeMs: 5, wallTimeMs: 9, memoryKb: 1000, limitHit: null };
const testCase = (index: number, overrides: Partial<TestCaseResult> = {}): TestCaseResult => ({
  ...stageResult(run, { verdict: 'accepted', message: null }, 'utf8'), index, expectedOutput: null, ...overrides,
});

describe('when building a stage result', () => {
  it('should decode output, flag invalid UTF-8 and copy the figures', () => {
    expect(stageResult(run, { verdict: 'accepted', message: null }, 'utf8')).toEqual({
      verdict: 'accepted', stdout: 'out\n', stderr: '\uFFFD', invalidUtf8: true, message: null, cpuTimeMs: 5, wallTimeMs: 9, memoryKb: 1000, exitCode: 0, signal: null,
    });
  });
});

describe('when summarizing runs', () => {
  it('should fold verdicts and figures and copy the first run', () => {
    const compile = { ...stageResult(run, { verdict: 'accepted', message: null }, 'utf8'), wallTimeMs: 100 };
    const result = summarize({
      compile, compileCached: false, compilerOutput: '', expectedRuns: 3,
      testCases: [testCase(2, { cpuTimeMs: 50, memoryKb: 3000 }), testCase(0, { stdout: 'first' }), testCase(1, { verdict: 'wrong_answer', message: 'differs' })],
    });
    expect(result.testCases.map((entry) => entry.index)).toEqual([0, 1, 2]);
    expect(result).toMatchObject({ verdict: 'wrong_answer', stdout: 'first', cpuTimeMs: 50, memoryKb: 3000, wallTimeMs: 9, message: 'test case 2: differs' });
  });

  it('should take CPU and wall time over the same stages: the runs, never the compile', () => {
    const compile = { ...stageResult(run, { verdict: 'accepted', message: null }, 'utf8'), cpuTimeMs: 400, wallTimeMs: 1000 };
    for (const compileCached of [true, false]) {
      const result = summarize({ compile, compileCached, compilerOutput: '', expectedRuns: 2, testCases: [testCase(0, { cpuTimeMs: 30, wallTimeMs: 40 }), testCase(1, { cpuTimeMs: 20, wallTimeMs: 70 })] });
      expect(result).toMatchObject({ cpuTimeMs: 30, wallTimeMs: 70 });
    }
  });

  it('should carry the toolchain version when it is known', () => {
    expect(summarize({ compile: null, compileCached: false, compilerOutput: '', expectedRuns: 1, testCases: [testCase(0)], toolchainVersion: '3.11.2' }).toolchainVersion).toBe('3.11.2');
    expect(summarize({ compile: null, compileCached: false, compilerOutput: '', expectedRuns: 1, testCases: [testCase(0)], toolchainVersion: null })).not.toHaveProperty('toolchainVersion');
  });

  it("should report a failed compile with the compiler's output and no runs", () => {
    const compile = stageResult({ ...run, exitCode: 1 }, { verdict: 'compilation_error', message: 'compilation failed' }, 'utf8');
    const result = summarize({ compile, compileCached: false, compilerOutput: 'main.c:1: error', expectedRuns: 1, testCases: [] });
    expect(result).toMatchObject({ verdict: 'compilation_error', stderr: 'main.c:1: error', testCases: [], exitCode: null, message: 'compilation failed' });
    expect(result).toMatchObject({ cpuTimeMs: compile.cpuTimeMs, wallTimeMs: compile.wallTimeMs, memoryKb: compile.memoryKb });
  });

  it('should say when it was stopped before all runs finished', () => {
    const result = summarize({ compile: null, compileCached: false, compilerOutput: '', expectedRuns: 3, testCases: [testCase(0)] });
    expect(result.message).toBe('stopped before it finished: 1 of 3 runs completed');
  });
});

describe('when the output budget is smaller than the output', () => {
  const flood: RunRecord = { ...run, stdout: Buffer.alloc(100, 0x61), stderr: Buffer.alloc(0) };

  it('should keep what fits and mark the cut stream, with the verdict as judged', () => {
    const stage = stageResult(flood, { verdict: 'wrong_answer', message: 'differs' }, 'utf8', new OutputBudget(40, 1));
    expect(stage).toMatchObject({ verdict: 'wrong_answer', stdout: 'a'.repeat(40), stdoutTruncated: true });
    expect(stage).not.toHaveProperty('stderrTruncated');
  });

  it('should mark the whole result when any stage was cut', () => {
    const budget = new OutputBudget(20_000, 2);
    const large: RunRecord = { ...run, stdout: Buffer.alloc(12_000, 0x61), stderr: Buffer.alloc(0) };
    const cases = [0, 1].map((index) => ({ ...stageResult(large, { verdict: 'accepted', message: null }, 'utf8', budget), index, expectedOutput: null }));
    const result = summarize({ compile: null, compileCached: false, compilerOutput: '', expectedRuns: 2, testCases: cases });
    expect(result.testCases.map((entry) => entry.stdoutTruncated === true)).toEqual([false, true]);
    expect(result.outputTruncated).toBe(true);
    expect(summarize({ compile: null, compileCached: false, compilerOutput: '', expectedRuns: 1, testCases: [testCase(0)] })).not.toHaveProperty('outputTruncated');
  });

  it("should cut a compile stage's texts and mark a failed compile's result", () => {
    const compile = stageResult({ ...run, stdout: Buffer.from('note\n'), stderr: Buffer.alloc(100, 0x65), exitCode: 1 }, { verdict: 'compilation_error', message: 'failed' }, 'utf8');
    const bounded = boundStage(compile, 'utf8', new OutputBudget(30, 1));
    expect(bounded).toMatchObject({ stdout: 'note\n', stderr: 'e'.repeat(25), stderrTruncated: true });
    const result = summarize({ compile: bounded, compileCached: false, compilerOutput: joinCompilerOutput(bounded, 'utf8'), expectedRuns: 1, testCases: [] });
    expect(result).toMatchObject({ verdict: 'compilation_error', stderr: 'note\n' + 'e'.repeat(25), outputTruncated: true });
  });

  it('should join base64 compiler output as bytes', () => {
    const stage = stageResult({ ...run, stdout: Buffer.from('ab'), stderr: Buffer.from('cde') }, { verdict: 'compilation_error', message: null }, 'base64');
    expect(Buffer.from(joinCompilerOutput(stage, 'base64'), 'base64').toString()).toBe('abcde');
  });
});
