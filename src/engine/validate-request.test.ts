// Request validation turns every kind of bad input into its own AppError code before anything runs.
import { describe, expect, it } from 'vitest';
import type { ResourceLimits } from '../domain/limits.js';
import type { ExecutionRequest } from '../domain/submission.js';
import { isAppError } from '../errors/index.js';
import { CATALOGUE } from '../languages/catalogue.js';
import type { LanguageStatus } from '../languages/language.js';
import { fileNameProblem, validateRequest, versionMatches } from './validate-request.js';
import { executionRequest } from '../domain/submission.js';

const languages: LanguageStatus[] = CATALOGUE.map((language) => ({
  ...language,
  installed: language.id !== 'rust',
  version: language.id === 'rust' ? null : '3.11.2',
  unavailableReason: language.id === 'rust' ? '`rustc` was not found' : null,
}));
const maxima: ResourceLimits = {
  cpuTimeMs: 30_000, wallTimeMs: 60_000, memoryMb: 2048, processes: 256, outputBytes: 64_000_000, fileSizeBytes: 1 << 28, workDirMb: 1024, openFiles: 1024, stackMb: 256,
};
const request = (overrides: Partial<ExecutionRequest> = {}): ExecutionRequest =>
  executionRequest('python', [{ name: 'main.py', content: 'print(1)' }], overrides);

function codeOf(action: () => unknown): string | null {
  try {
    action();
    return null;
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
}

describe('when the request is fine', () => {
  it('should resolve the language by alias and default the entry to the first file', () => {
    const resolved = validateRequest(request({ language: 'py3', files: [{ name: 'a.py', content: 'x' }, { name: 'lib/b.py', content: '' }] }), languages, maxima);
    expect(resolved.language.id).toBe('python');
    expect(resolved.entry).toBe('a.py');
  });

  it('should accept a matching version prefix and a named entry', () => {
    const files = [{ name: 'util.py', content: 'x=1' }, { name: 'main.py', content: 'import util' }];
    expect(validateRequest(request({ version: '3.11', files, entry: 'main.py' }), languages, maxima).entry).toBe('main.py');
  });
});

describe('when the request is bad', () => {
  it.each([
    ['an unknown language', { language: 'cobol' }, 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE'],
    ['a language whose toolchain is missing', { language: 'rust', files: [{ name: 'main.rs', content: 'fn main(){}' }] }, 'RUNLANE_ERR_ENGINE_LANGUAGE_UNAVAILABLE'],
    ['another version', { version: '2.7' }, 'RUNLANE_ERR_ENGINE_UNKNOWN_VERSION'],
    ['no files', { files: [] }, 'RUNLANE_ERR_ENGINE_EMPTY_SOURCE'],
    ['only blank files', { files: [{ name: 'main.py', content: ' \n\t' }] }, 'RUNLANE_ERR_ENGINE_EMPTY_SOURCE'],
    ['an absolute file name', { files: [{ name: '/etc/passwd', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME'],
    ['a file name climbing out', { files: [{ name: 'a/../../x.py', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME'],
    ['a file name that looks like a flag', { files: [{ name: '-o.py', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME'],
    ['a duplicate file', { files: [{ name: 'a.py', content: 'x' }, { name: 'a.py', content: 'y' }] }, 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME'],
    ['a file that is also a folder', { files: [{ name: 'lib', content: 'x' }, { name: 'lib/u.py', content: 'y' }] }, 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME'],
    ['an entry that was not sent', { entry: 'other.py' }, 'RUNLANE_ERR_ENGINE_UNKNOWN_ENTRY'],
    ['an argument with a NUL byte', { args: ['a\0b'] }, 'RUNLANE_ERR_ENGINE_BAD_ARGUMENT'],
    ['a limit above the maximum', { limits: { memoryMb: 4096 } }, 'RUNLANE_ERR_ENGINE_LIMIT_OUT_OF_RANGE'],
    ['a zero limit', { limits: { cpuTimeMs: 0 } }, 'RUNLANE_ERR_ENGINE_LIMIT_OUT_OF_RANGE'],
    ['a C file named like the compiled program', { language: 'c', files: [{ name: 'main.c', content: 'int main(){}' }, { name: 'main', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a Go file named like the compiled program', { language: 'go', files: [{ name: 'main.go', content: 'package main' }, { name: 'main', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a class file sent with Java', { language: 'java', files: [{ name: 'Main.java', content: 'class Main {}' }, { name: 'lib/Helper.class', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a JavaScript file beside the TypeScript source it compiles to', { language: 'ts', files: [{ name: 'main.ts', content: 'let x = 1' }, { name: 'main.js', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a nested one for TypeScript', { language: 'ts', files: [{ name: 'main.ts', content: 'let x = 1' }, { name: 'lib/u.ts', content: 'x' }, { name: 'lib/u.js', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
  ] as const)('should refuse %s', (_what, overrides, code) => {
    expect(codeOf(() => validateRequest(request(overrides as Partial<ExecutionRequest>), languages, maxima))).toBe(code);
  });
});

describe('when a file has a name a compile writes only for other files or languages', () => {
  it('should accept it', () => {
    const accept = (overrides: Partial<ExecutionRequest>) => validateRequest(request(overrides), languages, maxima).language.id;
    expect(accept({ language: 'c', files: [{ name: 'main.c', content: 'int main(){}' }, { name: 'data/main', content: 'x' }] })).toBe('c');
    expect(accept({ language: 'ts', files: [{ name: 'main.ts', content: 'let x = 1' }, { name: 'helper.js', content: 'x' }] })).toBe('typescript');
    expect(accept({ language: 'python', files: [{ name: 'main.py', content: 'x' }, { name: 'main', content: 'x' }, { name: 'Main.class', content: 'x' }] })).toBe('python');
  });
});

describe('when checking names and versions directly', () => {
  it('should allow ordinary nested names and refuse tricky ones', () => {
    expect(fileNameProblem('src/com/example/Main.java')).toBeNull();
    expect(fileNameProblem('my_prog-2.c++')).toBeNull();
    for (const bad of ['', '.', './a.py', 'a//b.py', '.runlane-node-globals.d.ts', 'a b.py', 'naïve.py', 'x'.repeat(300)]) expect(fileNameProblem(bad), bad).not.toBeNull();
  });

  it('should match versions on dot boundaries only', () => {
    expect(versionMatches('3.11.2', '3')).toBe(true);
    expect(versionMatches('3.11.2', '3.11.2')).toBe(true);
    expect(versionMatches('3.11.2', '3.1')).toBe(false);
  });
});
