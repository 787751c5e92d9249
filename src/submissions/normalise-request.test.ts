// The normaliser turns every transport's input into a resolved request, and every kind of bad input into its own AppError code.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { ExecutionRequest } from '../domain/submission.js';
import { HTTP_ERRORS, isAppError, type AppError } from '../errors/index.js';
import { CATALOGUE } from '../languages/catalogue.js';
import type { LanguageStatus } from '../languages/language.js';
import { executionRequest } from '../domain/submission.js';
import { normaliseRequest, requestFromDraft, type RequestDraft } from './normalise-request.js';
import { fileNameProblem, versionMatches } from './request-checks.js';

const languages: LanguageStatus[] = CATALOGUE.map((language) => ({
  ...language,
  installed: language.id !== 'rust',
  version: language.id === 'rust' ? null : '3.11.2',
  unavailableReason: language.id === 'rust' ? '`rustc` was not found' : null,
}));
const limits = loadConfig({ env: {}, flags: { 'limits.maxArgBytes': 16, 'limits.maxArgsTotalBytes': 40, 'limits.maxArgs': 10 } }).limits;
const context = { languages, limits };
const validateRequest = (draft: RequestDraft) => normaliseRequest(draft, context);
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
    const resolved = validateRequest(request({ language: 'py3', files: [{ name: 'a.py', content: 'x' }, { name: 'lib/b.py', content: '' }] }));
    expect(resolved.language).toBe('python');
    expect(resolved.entry).toBe('a.py');
  });

  it.each([['Python', 'python'], ['py', 'python'], [' PY3 ', 'python'], ['c++', 'cpp'], ['C++', 'cpp'], ['cpp', 'cpp']])('should store %j as the id %j', (given, id) => {
    const source = id === 'cpp' ? 'int main(){}' : 'print(1)';
    expect(validateRequest({ language: given, source }).language).toBe(id);
  });

  it('should apply every default to a bare draft', () => {
    expect(validateRequest({ language: 'py', source: 'print(1)' })).toEqual({
      language: 'python', version: null, files: [{ name: 'main.py', content: 'print(1)' }], entry: 'main.py', stdin: '', args: [], testCases: [],
      limits: {}, compareMode: 'trimmed', outputEncoding: 'utf8',
    });
  });

  it('should return the same request for a request it already normalised', () => {
    const once = validateRequest({ language: 'c++', source: 'int main(){}', testCases: [{ stdin: '1' }] });
    expect(validateRequest(once)).toEqual(once);
    expect(requestFromDraft(once, languages)).toEqual(once);
  });

  it('should accept a matching version prefix and a named entry', () => {
    const files = [{ name: 'util.py', content: 'x=1' }, { name: 'main.py', content: 'import util' }];
    expect(validateRequest(request({ version: '3.11', files, entry: 'main.py' })).entry).toBe('main.py');
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
    ['a limit above the maximum', { limits: { memoryMb: 4096 } }, 'RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH'],
    ['a zero limit', { limits: { cpuTimeMs: 0 } }, 'RUNLANE_ERR_HTTP_VALIDATION'],
    ['a fractional limit', { limits: { memoryMb: 1.5 } }, 'RUNLANE_ERR_HTTP_VALIDATION'],
    ['both source and files', { source: 'print(1)' }, 'RUNLANE_ERR_HTTP_VALIDATION'],
    ['too many files', { files: Array.from({ length: 33 }, (_, index) => ({ name: `f${index}.py`, content: 'x' })) }, 'RUNLANE_ERR_HTTP_TOO_MANY_FILES'],
    ['too much code', { files: [{ name: 'main.py', content: 'x'.repeat(64 * 1024 + 1) }] }, 'RUNLANE_ERR_HTTP_CODE_TOO_LARGE'],
    ['too many test cases', { testCases: Array.from({ length: 101 }, () => ({ stdin: '' })) }, 'RUNLANE_ERR_HTTP_TOO_MANY_TEST_CASES'],
    ['too much stdin', { stdin: 'x'.repeat(1024 * 1024 + 1) }, 'RUNLANE_ERR_HTTP_STDIN_TOO_LARGE'],
    ['too much stdin in a test case', { testCases: [{ stdin: 'x'.repeat(1024 * 1024 + 1) }] }, 'RUNLANE_ERR_HTTP_STDIN_TOO_LARGE'],
    ['too many arguments', { args: Array.from({ length: 11 }, () => 'a') }, 'RUNLANE_ERR_HTTP_VALIDATION'],
    ['a C file named like the compiled program', { language: 'c', files: [{ name: 'main.c', content: 'int main(){}' }, { name: 'main', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a Go file named like the compiled program', { language: 'go', files: [{ name: 'main.go', content: 'package main' }, { name: 'main', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a class file sent with Java', { language: 'java', files: [{ name: 'Main.java', content: 'class Main {}' }, { name: 'lib/Helper.class', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a JavaScript file beside the TypeScript source it compiles to', { language: 'ts', files: [{ name: 'main.ts', content: 'let x = 1' }, { name: 'main.js', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
    ['a nested one for TypeScript', { language: 'ts', files: [{ name: 'main.ts', content: 'let x = 1' }, { name: 'lib/u.ts', content: 'x' }, { name: 'lib/u.js', content: 'x' }] }, 'RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME'],
  ] as const)('should refuse %s', (_what, overrides, code) => {
    expect(codeOf(() => validateRequest(request(overrides as Partial<ExecutionRequest>)))).toBe(code);
  });
});

describe('when a file has a name a compile writes only for other files or languages', () => {
  it('should accept it', () => {
    const accept = (overrides: Partial<ExecutionRequest>) => validateRequest(request(overrides)).language;
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

describe('when checking the command-line arguments', () => {
  function refusal(args: string[]): AppError | null {
    try {
      validateRequest(request({ args }));
      return null;
    } catch (error) {
      return error as AppError;
    }
  }

  it('should accept them up to exactly the caps', () => {
    expect(refusal(['a'.repeat(16), 'b'.repeat(16), 'c'.repeat(8)])).toBeNull();
    expect(refusal([])).toBeNull();
  });

  it('should refuse one too long with 400 RUNLANE_ERR_HTTP_ARG_TOO_LARGE naming the argument and the limit', () => {
    const error = refusal(['ok', 'x'.repeat(17)]);
    expect(error).toMatchObject({ code: HTTP_ERRORS.argTooLarge.code, statusCode: 400, details: { field: 'args[1]', bytes: 17, maximum: 16 } });
    expect(error?.message).toBe('args[1] is 17 bytes; at most 16 bytes are allowed per argument');
  });

  it('should count UTF-8 bytes, not characters', () => {
    expect(refusal(['é'.repeat(9)])).toMatchObject({ code: HTTP_ERRORS.argTooLarge.code, details: { bytes: 18 } });
  });

  it('should refuse them too long together with 400 RUNLANE_ERR_HTTP_ARGS_TOO_LARGE and the total limit', () => {
    const error = refusal(['a'.repeat(16), 'b'.repeat(16), 'c'.repeat(9)]);
    expect(error).toMatchObject({ code: HTTP_ERRORS.argsTooLarge.code, statusCode: 400, details: { field: 'args', bytes: 41, maximum: 40 } });
    expect(error?.message).toContain('at most 40 bytes');
  });
});

describe('when a language is unknown', () => {
  it('should refuse it with the list of known ids, never passing the name on', () => {
    expect(() => validateRequest({ language: 'Cobol', source: 'x' })).toThrow(/unknown language "Cobol"; known languages: .*python.*cpp|unknown language "Cobol"; known languages: .*cpp.*python/);
  });
});
