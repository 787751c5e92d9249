// Limit flags of `runlane run` become config overrides, or a usage error naming the flag and its range.
import { describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-usage-error.js';
import { limitFlags } from './limit-flags.js';

const max = { cpuTimeMs: 30_000, wallTimeMs: 60_000, memoryMb: 2048 };

describe('when limit flags are in range', () => {
  it('should turn them into run limit overrides, wall following CPU unless given', () => {
    expect(limitFlags({ time: '0.5', memory: '64' }, max)).toEqual({ 'limits.run.cpuTimeMs': 500, 'limits.run.wallTimeMs': 2000, 'limits.run.memoryMb': 64 });
    expect(limitFlags({ time: '30', wall: '60' }, max)).toEqual({ 'limits.run.cpuTimeMs': 30_000, 'limits.run.wallTimeMs': 60_000 });
    expect(limitFlags({ time: '30' }, { ...max, wallTimeMs: 45_000 })['limits.run.wallTimeMs']).toBe(45_000);
  });
});

describe('when a limit flag is out of range or not a number', () => {
  it.each([
    [{ time: '100' }, '--time must be a number of seconds from 0.001 to 30 (got "100")'],
    [{ time: '0' }, '--time must be a number of seconds from 0.001 to 30 (got "0")'],
    [{ time: 'fast' }, '--time must be a number of seconds from 0.001 to 30 (got "fast")'],
    [{ wall: '61' }, '--wall must be a number of seconds from 0.001 to 60 (got "61")'],
    [{ memory: '4096' }, '--memory must be a whole number of MiB from 1 to 2048 (got "4096")'],
    [{ memory: '1.5' }, '--memory must be a whole number of MiB from 1 to 2048 (got "1.5")'],
    [{ memory: '' }, '--memory must be a whole number of MiB from 1 to 2048 (got "")'],
  ])('should name the flag and the allowed range for %o', (flags, message) => {
    expect(() => limitFlags(flags, max)).toThrow(new CliUsageError(message));
  });
});
