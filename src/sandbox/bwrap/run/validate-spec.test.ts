// Specs the kernel, bwrap or the work dir could not honour are refused up front with a bad-spec error.
import { describe, expect, it } from 'vitest';
import type { ResourceLimits } from '../../../domain/limits.js';
import { isAppError } from '../../../errors/index.js';
import type { SandboxRunSpec } from '../../sandbox.js';
import { MAX_ARG_STRLEN, validateSpec } from './validate-spec.js';

const limits: ResourceLimits = { cpuTimeMs: 1_000, wallTimeMs: 2_000, memoryMb: 64, processes: 8, outputBytes: 1_000, fileSizeBytes: 1_000, workDirMb: 8, openFiles: 64, stackMb: 8 };
const layout = { systemArgs: ['--ro-bind', '/usr', '/usr'] };

function problem(spec: Partial<SandboxRunSpec>): string | null {
  try {
    validateSpec({ argv: ['true'], limits, ...spec }, layout);
    return null;
  } catch (error) {
    if (!isAppError(error) || error.code !== 'RUNLANE_ERR_SANDBOX_BAD_SPEC') throw error;
    return error.message;
  }
}

describe('validateSpec', () => {
  describe('when the spec is fine', () => {
    it('should accept arguments right at the limits', () => {
      expect(problem({ argv: ['echo', 'x'.repeat(MAX_ARG_STRLEN - 1)] })).toBeNull();
      expect(problem({ argv: ['true', ...Array.from({ length: 8 }, () => 'y'.repeat(120_000))] })).toBeNull();
      expect(problem({ files: [{ path: 'lib/a.py', content: Buffer.from('') }, { path: 'lib/b.py', content: Buffer.from('') }] })).toBeNull();
    });
  });

  describe('when the spec is bad', () => {
    it.each([
      ['an empty argv', { argv: [] }, /argv must name a program/],
      ['a NUL byte in an argument', { argv: ['echo', 'a\0b'] }, /NUL/],
      ['one argument over 128 KiB', { argv: ['echo', 'x'.repeat(MAX_ARG_STRLEN)] }, /argument 1 is 131072 bytes long/],
      ['more argument bytes than a quarter of the stack', { argv: ['true', ...Array.from({ length: 20 }, () => 'y'.repeat(120_000))], limits: { ...limits, stackMb: 8 } }, /with a 8 MB stack/],
      ['more items than bwrap parses', { argv: ['true', ...Array.from({ length: 9_000 }, () => 'a')] }, /arguments are too many/],
      ['an environment variable over 128 KiB', { env: { BIG: 'x'.repeat(MAX_ARG_STRLEN) } }, /environment variable BIG/],
      ['a bad variable name', { env: { 'A-B': 'x' } }, /invalid environment variable name/],
      ['an unsafe path', { files: [{ path: '../x', content: Buffer.from('') }] }, /unsafe file path/],
      ['a path given twice', { files: [{ path: 'main', content: Buffer.from('') }, { path: 'main', content: Buffer.from('') }] }, /given twice/],
      ['a file also used as a folder', { files: [{ path: 'lib', content: Buffer.from('') }, { path: 'lib/x', content: Buffer.from('') }] }, /also used as a folder/],
    ] as const)('should refuse %s', (_what, spec, message) => {
      expect(problem(spec as Partial<SandboxRunSpec>)).toMatch(message);
    });
  });
});
