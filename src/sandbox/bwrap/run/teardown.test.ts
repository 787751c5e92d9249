// Which limit explains an end the sandbox did not cause itself.
import { describe, expect, it } from 'vitest';
import { inferLimitHit } from './teardown.js';

const quiet = { cpuTimeMs: 10, memoryPeakKb: 1000, oomKilled: false, processLimitHit: false };

describe('inferLimitHit', () => {
  it('should name memory when the OOM killer fired, whatever the exit looks like', () => {
    expect(inferLimitHit({ exitCode: null, signal: 'SIGKILL' }, { ...quiet, oomKilled: true }, 1000, false)).toBe('memory');
  });

  it('should name cpu for SIGXCPU, or SIGKILL once the group used its CPU time (the RLIMIT_CPU backstop)', () => {
    expect(inferLimitHit({ exitCode: null, signal: 'SIGXCPU' }, quiet, 1000, false)).toBe('cpu');
    expect(inferLimitHit({ exitCode: null, signal: 'SIGKILL' }, { ...quiet, cpuTimeMs: 1500 }, 1000, false)).toBe('cpu');
    expect(inferLimitHit({ exitCode: null, signal: 'SIGKILL' }, quiet, 1000, false)).toBeNull();
  });

  it('should name file-size for SIGXFSZ, or a failure with the work dir or a file at its cap', () => {
    expect(inferLimitHit({ exitCode: null, signal: 'SIGXFSZ' }, quiet, 1000, false)).toBe('file-size');
    expect(inferLimitHit({ exitCode: 1, signal: null }, quiet, 1000, true)).toBe('file-size');
    expect(inferLimitHit({ exitCode: 0, signal: null }, quiet, 1000, true)).toBeNull();
  });

  it('should name processes only for a failed run that hit the process limit', () => {
    expect(inferLimitHit({ exitCode: 1, signal: null }, { ...quiet, processLimitHit: true }, 1000, false)).toBe('processes');
    expect(inferLimitHit({ exitCode: 0, signal: null }, { ...quiet, processLimitHit: true }, 1000, false)).toBeNull();
  });
});
