// Interactive time limits: their defaults fill what a start leaves out, and their maxima replace the batch ones.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { interactiveCaps, withInteractiveDefaults } from './interactive-limits.js';

const config = loadConfig({ env: {} });

describe('withInteractiveDefaults', () => {
  it('should give a start that asks for nothing the interactive wall and CPU times, not the batch ones', () => {
    expect(withInteractiveDefaults({}, config.limits.interactive)).toEqual({ wallTimeMs: 600_000, cpuTimeMs: 60_000 });
  });

  it('should keep what the start asked for, and leave every other limit to the batch defaults', () => {
    expect(withInteractiveDefaults({ wallTimeMs: 5_000, memoryMb: 64 }, config.limits.interactive)).toEqual({ wallTimeMs: 5_000, cpuTimeMs: 60_000, memoryMb: 64 });
  });
});

describe('interactiveCaps', () => {
  it('should check times against the interactive maxima and everything else against the batch ones', () => {
    const caps = interactiveCaps(config.limits);
    expect(caps.max).toEqual({ ...config.limits.max, wallTimeMs: 3_600_000, cpuTimeMs: 600_000 });
    expect(config.limits.max.wallTimeMs).toBe(60_000);
  });
});
