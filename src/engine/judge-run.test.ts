// Verdict mapping from sandbox outcomes: limits first, then how the program ended, then its answer.
import { describe, expect, it } from 'vitest';
import type { ResourceLimits } from '../domain/limits.js';
import { judgeCompile, judgeRun, type JudgeRunContext } from './judge-run.js';

const limits: ResourceLimits = {
  cpuTimeMs: 1000, wallTimeMs: 2000, memoryMb: 64, processes: 16, outputBytes: 1000, fileSizeBytes: 4096, workDirMb: 8, openFiles: 64, stackMb: 8,
};
const context: JudgeRunContext = { limits, expectedOutput: null, compareMode: 'trimmed' };
const clean = { stdout: Buffer.from('42\n'), stderr: Buffer.alloc(0), exitCode: 0, signal: null, limitHit: null } as const;

describe('when a limit was hit', () => {
  it.each([
    [{ limitHit: 'cpu', signal: 'SIGKILL', exitCode: null }, 'time_limit_exceeded', /CPU time limit of 1000 ms/],
    [{ limitHit: null, signal: 'SIGXCPU', exitCode: null }, 'time_limit_exceeded', /CPU time/],
    [{ limitHit: 'wall', signal: 'SIGKILL', exitCode: null }, 'time_limit_exceeded', /wall-time limit of 2000 ms/],
    [{ limitHit: 'memory', signal: 'SIGKILL', exitCode: null }, 'memory_limit_exceeded', /memory limit of 64 MB/],
    [{ limitHit: 'output', signal: 'SIGKILL', exitCode: null }, 'output_limit_exceeded', /output limit of 1000 bytes/],
    [{ limitHit: 'file-size', signal: 'SIGXFSZ', exitCode: null }, 'output_limit_exceeded', /disk write limit exceeded \(4096 bytes per file, 8 MB in all\)/],
    [{ limitHit: 'file-size', signal: null, exitCode: 1 }, 'output_limit_exceeded', /disk write limit/],
    [{ limitHit: null, signal: 'SIGXFSZ', exitCode: null }, 'output_limit_exceeded', /disk write limit/],
    [{ limitHit: 'processes', signal: null, exitCode: 1 }, 'runtime_error', /process and thread limit of 16/],
  ] as const)('should map %o to %s', (outcome, verdict, message) => {
    const judgement = judgeRun({ ...clean, ...outcome }, { ...context, expectedOutput: '42' });
    expect(judgement.verdict).toBe(verdict);
    expect(judgement.message).toMatch(message);
  });
});

describe('when the program failed on its own', () => {
  it('should call a non-zero exit a runtime error', () => {
    expect(judgeRun({ ...clean, exitCode: 3 }, context)).toEqual({ verdict: 'runtime_error', message: 'exited with code 3' });
  });

  it('should name the signal that killed it', () => {
    expect(judgeRun({ ...clean, exitCode: null, signal: 'SIGSEGV' }, context)).toEqual({ verdict: 'runtime_error', message: 'killed by signal SIGSEGV' });
  });

  it("should call the runtime's own out-of-memory error a memory limit, only when the run failed", () => {
    const oom = { ...context, outOfMemoryPattern: 'java\\.lang\\.OutOfMemoryError' };
    const stderr = Buffer.from('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n');
    expect(judgeRun({ ...clean, exitCode: 1, stderr }, oom).verdict).toBe('memory_limit_exceeded');
    expect(judgeRun({ ...clean, exitCode: 0, stderr }, oom).verdict).toBe('accepted');
  });

  it('should find the out-of-memory message at the end of megabytes of stderr', () => {
    const oom = { ...context, outOfMemoryPattern: '^MemoryError' };
    const stderr = Buffer.concat([Buffer.alloc(8 * 1024 * 1024, 0x2e), Buffer.from('\nTraceback (most recent call last):\nMemoryError\n')]);
    expect(judgeRun({ ...clean, exitCode: 1, stderr }, oom).verdict).toBe('memory_limit_exceeded');
  });

  it('should blame the service when the sandbox explains nothing', () => {
    expect(judgeRun({ ...clean, exitCode: null }, context).verdict).toBe('internal_error');
  });
});

describe('when the program exited normally', () => {
  it('should accept without an expected output', () => {
    expect(judgeRun(clean, context)).toEqual({ verdict: 'accepted', message: null });
  });

  it('should compare with the expected output', () => {
    expect(judgeRun(clean, { ...context, expectedOutput: '42' }).verdict).toBe('accepted');
    expect(judgeRun(clean, { ...context, expectedOutput: '43' })).toEqual({ verdict: 'wrong_answer', message: 'output differs from the expected output at line 1' });
    expect(judgeRun(clean, { ...context, expectedOutput: '42', compareMode: 'exact' }).verdict).toBe('wrong_answer');
  });
});

describe('when judging a compile', () => {
  it('should accept a clean exit', () => {
    expect(judgeCompile(clean, limits).verdict).toBe('accepted');
  });

  it('should call every failure a compilation error with its reason', () => {
    expect(judgeCompile({ ...clean, exitCode: 1 }, limits)).toEqual({ verdict: 'compilation_error', message: 'compilation failed: the compiler exited with code 1' });
    expect(judgeCompile({ ...clean, exitCode: null, signal: 'SIGKILL', limitHit: 'wall' }, limits).message).toMatch(/wall-time limit/);
  });
});
