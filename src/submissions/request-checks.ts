// The rules a request must meet before it is admitted, each stated once: sizes, file names, entry, arguments, limits.
import type { Config } from '../config/index.js';
import { findLimitViolations, LIMIT_FIELDS, type ResourceLimits } from '../domain/limits.js';
import type { ExecutionRequest } from '../domain/submission.js';
import { AppError, ENGINE_ERRORS, HTTP_ERRORS } from '../errors/index.js';
import { compileOutputClash } from '../languages/compile-outputs.js';
import type { LanguageStatus } from '../languages/language.js';

/** The `limits` section of the config: size caps and the maxima a request may ask for. */
export type RequestCaps = Config['limits'];

/**
 * Each part of a name starts with a letter, digit or `_`: never `-` (it would read as a compiler flag once expanded into
 * argv), never `.` (no `..`, no clash with `.runlane*` support files). ASCII only, so every toolchain accepts it.
 */
const NAME_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;
const MAX_NAME_LENGTH = 255;
const MAX_DEPTH = 8;

/** Source, file count, test cases, stdin and args within the configured caps. */
export function checkSizes(request: ExecutionRequest, caps: RequestCaps): void {
  if (request.files.length === 0 || request.files.every((file) => file.content.trim() === '')) {
    throw new AppError(ENGINE_ERRORS.emptySource, 'the submission has no source code: send non-empty `source` or `files`');
  }
  if (request.files.length > caps.maxFiles) {
    throw new AppError(HTTP_ERRORS.tooManyFiles, `the submission has ${request.files.length} files; at most ${caps.maxFiles} are allowed`, {
      details: { maximum: caps.maxFiles },
    });
  }
  const codeBytes = request.files.reduce((total, file) => total + Buffer.byteLength(file.content), 0);
  if (codeBytes > caps.maxCodeBytes) {
    throw new AppError(HTTP_ERRORS.codeTooLarge, `the source code is ${codeBytes} bytes; at most ${caps.maxCodeBytes} bytes are allowed`, {
      details: { bytes: codeBytes, maximum: caps.maxCodeBytes },
    });
  }
  if (request.testCases.length > caps.maxTestCases) {
    throw new AppError(HTTP_ERRORS.tooManyTestCases, `the submission has ${request.testCases.length} test cases; at most ${caps.maxTestCases} are allowed`, {
      details: { maximum: caps.maxTestCases },
    });
  }
  checkStdin('stdin', request.stdin, caps.maxStdinBytes);
  request.testCases.forEach((testCase, index) => checkStdin(`testCases[${index}].stdin`, testCase.stdin, caps.maxStdinBytes));
  checkArgs(request.args, caps);
}

function checkStdin(field: string, stdin: string, maximum: number): void {
  const bytes = Buffer.byteLength(stdin);
  if (bytes > maximum) {
    throw new AppError(HTTP_ERRORS.stdinTooLarge, `${field} is ${bytes} bytes; at most ${maximum} bytes are allowed`, {
      details: { field, bytes, maximum },
    });
  }
}

/** Every argument reaches the program's argv through execve, whose own limits (and cost) grow with their size. */
function checkArgs(args: readonly string[], caps: RequestCaps): void {
  if (args.length > caps.maxArgs) {
    throw new AppError(HTTP_ERRORS.validation, `args has ${args.length} entries; at most ${caps.maxArgs} are allowed`, { details: { field: 'args' } });
  }
  let total = 0;
  for (const [index, arg] of args.entries()) {
    if (arg.includes('\0')) throw new AppError(ENGINE_ERRORS.badArgument, `args[${index}] contains a NUL byte`, { details: { field: `args[${index}]` } });
    const bytes = Buffer.byteLength(arg);
    if (bytes > caps.maxArgBytes) {
      throw new AppError(HTTP_ERRORS.argTooLarge, `args[${index}] is ${bytes} bytes; at most ${caps.maxArgBytes} bytes are allowed per argument`, {
        details: { field: `args[${index}]`, bytes, maximum: caps.maxArgBytes },
      });
    }
    total += bytes;
  }
  if (total > caps.maxArgsTotalBytes) {
    throw new AppError(HTTP_ERRORS.argsTooLarge, `args are ${total} bytes together; at most ${caps.maxArgsTotalBytes} bytes are allowed in all`, {
      details: { field: 'args', bytes: total, maximum: caps.maxArgsTotalBytes },
    });
  }
}

/** The toolchain is installed and, when a version is asked for, it is the installed one. */
export function checkToolchain(language: LanguageStatus, version: string | null | undefined): void {
  if (!language.installed) {
    throw new AppError(ENGINE_ERRORS.languageUnavailable, `${language.displayName} is not available on this node: ${language.unavailableReason ?? 'not installed'}`, {
      details: { language: language.id },
    });
  }
  if (version && version !== '*' && !versionMatches(language.version!, version)) {
    throw new AppError(ENGINE_ERRORS.unknownVersion, `${language.displayName} ${version} is not installed; this node has ${language.version}`, {
      details: { language: language.id, installed: language.version },
    });
  }
}

/** `3` and `3.11` match `3.11.2`; `3.1` does not. */
export function versionMatches(installed: string, requested: string): boolean {
  return installed === requested || installed.startsWith(`${requested}.`);
}

/** Unique, safe relative names; none used as both a file and a folder; none the compile writes itself; the entry among them. */
export function checkFiles(request: ExecutionRequest, language: LanguageStatus, entry: string): void {
  const names = new Set<string>();
  for (const { name } of request.files) {
    const problem = fileNameProblem(name);
    if (problem) throw new AppError(ENGINE_ERRORS.badFileName, `bad file name ${JSON.stringify(name)}: ${problem}`, { details: { name } });
    if (names.has(name)) throw new AppError(ENGINE_ERRORS.badFileName, `file "${name}" is sent twice`, { details: { name } });
    names.add(name);
  }
  // `lib` and `lib/util.py` cannot both exist: one would have to be a file and a folder at once.
  for (const name of names) {
    for (let slash = name.indexOf('/'); slash !== -1; slash = name.indexOf('/', slash + 1)) {
      const folder = name.slice(0, slash);
      if (names.has(folder)) throw new AppError(ENGINE_ERRORS.badFileName, `"${folder}" is sent as a file and used as a folder by "${name}"`, { details: { name: folder } });
    }
  }
  checkCompileOutputs([...names], language);
  if (!names.has(entry)) throw new AppError(ENGINE_ERRORS.unknownEntry, `entry "${entry}" is not one of the submitted files`, { details: { entry } });
}

/** A submitted file named like something the compile writes would clash with it in the run's work dir: refused up front. */
function checkCompileOutputs(names: string[], language: LanguageStatus): void {
  const sources = names.filter((name) => language.extensions.some((extension) => name.toLowerCase().endsWith(extension)));
  const clash = compileOutputClash(language, names, sources);
  if (!clash) return;
  throw new AppError(ENGINE_ERRORS.reservedFileName, `file "${clash.name}" has a name the ${language.displayName} compile writes itself (${clash.pattern}); rename it or leave it out`, {
    details: { name: clash.name, pattern: clash.pattern },
  });
}

/** Why a file name is refused, or null when it is fine. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (name.startsWith('/')) return 'it is absolute';
  const segments = name.split('/');
  if (segments.includes('..')) return 'it contains ".."';
  if (segments.length > MAX_DEPTH) return `it is nested deeper than ${MAX_DEPTH} folders`;
  if (segments.some((segment) => !NAME_SEGMENT.test(segment))) {
    return 'each part must start with a letter, digit or "_" and use only letters, digits, "_", "-", "+" and "."';
  }
  return null;
}

/** Each requested limit a whole number from the field's minimum up to the configured maximum; never silently clamped. */
export function checkLimits(requested: Partial<ResourceLimits>, maxima: ResourceLimits): void {
  for (const field of LIMIT_FIELDS) {
    const value = requested[field.name];
    if (value !== undefined && (!Number.isInteger(value) || value < field.min)) {
      throw new AppError(HTTP_ERRORS.validation, `limits.${field.name} must be a whole number of at least ${field.min} (got ${value})`, {
        details: { field: `limits.${field.name}` },
      });
    }
  }
  const [violation] = findLimitViolations(requested, maxima);
  if (violation) {
    throw new AppError(HTTP_ERRORS.limitTooHigh, `limits.${violation.key} is ${violation.requested}; the server allows at most ${violation.maximum}`, {
      details: { ...violation },
    });
  }
}
