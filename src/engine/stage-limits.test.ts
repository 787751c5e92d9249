// Stage limits layer configured defaults, language needs and the request, and add the runtime's memory overhead.
import { describe, expect, it } from 'vitest';
import type { ResourceLimits } from '../domain/limits.js';
import type { LanguageDefinition } from '../languages/language.js';
import { compileStageLimits, runStageLimits, type LimitSettings } from './stage-limits.js';

const base: ResourceLimits = { cpuTimeMs: 1000, wallTimeMs: 2000, memoryMb: 256, processes: 64, outputBytes: 100, fileSizeBytes: 100, workDirMb: 64, openFiles: 64, stackMb: 8 };
const settings: LimitSettings = { run: base, compile: { ...base, memoryMb: 1024, cpuTimeMs: 20_000 }, max: { ...base, processes: 100, memoryMb: 2048, cpuTimeMs: 30_000 } };
const jvm = { runLimits: { processes: 128 }, compileLimits: { processes: 256 }, memoryOverheadMb: 160 } as unknown as LanguageDefinition;

describe('when computing run limits', () => {
  it('should cap language defaults at the maxima and let the request win', () => {
    const limits = runStageLimits(settings, jvm, { memoryMb: 512 });
    expect(limits.program).toMatchObject({ processes: 100, memoryMb: 512, cpuTimeMs: 1000 });
  });

  it('should give the sandbox the program memory plus the runtime overhead', () => {
    expect(runStageLimits(settings, jvm, {}).sandbox.memoryMb).toBe(256 + 160);
    expect(runStageLimits(settings, {} as LanguageDefinition, {}).sandbox.memoryMb).toBe(256);
  });
});

describe('when computing compile limits', () => {
  it('should start from the compile defaults and the language needs', () => {
    const limits = compileStageLimits(settings, jvm);
    expect(limits.program).toMatchObject({ cpuTimeMs: 20_000, memoryMb: 1024, processes: 256 });
    expect(limits.sandbox.memoryMb).toBe(1024 + 160);
  });
});
