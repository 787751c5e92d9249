// Checks a submission against the configured size caps and limit maxima before it is admitted.
import type { Config } from '../config/index.js';
import { findLimitViolations } from '../domain/limits.js';
import type { ExecutionRequest } from '../domain/submission.js';
import { AppError, ENGINE_ERRORS, HTTP_ERRORS } from '../errors/index.js';

type LimitsConfig = Config['limits'];

/** Throws the AppError that tells the client exactly what to fix; returns nothing when the request is acceptable. */
export function validateSubmission(request: ExecutionRequest, limits: LimitsConfig): void {
  if (request.files.length === 0 || request.files.every((file) => file.content.trim() === '')) {
    throw new AppError(ENGINE_ERRORS.emptySource, 'the submission has no source code: send non-empty `source` or `files`');
  }
  if (request.files.length > limits.maxFiles) {
    throw new AppError(HTTP_ERRORS.tooManyFiles, `the submission has ${request.files.length} files; at most ${limits.maxFiles} are allowed`, {
      details: { maximum: limits.maxFiles },
    });
  }
  const codeBytes = request.files.reduce((total, file) => total + Buffer.byteLength(file.content), 0);
  if (codeBytes > limits.maxCodeBytes) {
    throw new AppError(HTTP_ERRORS.codeTooLarge, `the source code is ${codeBytes} bytes; at most ${limits.maxCodeBytes} bytes are allowed`, {
      details: { bytes: codeBytes, maximum: limits.maxCodeBytes },
    });
  }
  if (request.testCases.length > limits.maxTestCases) {
    throw new AppError(HTTP_ERRORS.tooManyTestCases, `the submission has ${request.testCases.length} test cases; at most ${limits.maxTestCases} are allowed`, {
      details: { maximum: limits.maxTestCases },
    });
  }
  checkStdin('stdin', request.stdin, limits.maxStdinBytes);
  request.testCases.forEach((testCase, index) => checkStdin(`testCases[${index}].stdin`, testCase.stdin, limits.maxStdinBytes));
  if (request.args.length > limits.maxArgs) {
    throw new AppError(HTTP_ERRORS.validation, `args has ${request.args.length} entries; at most ${limits.maxArgs} are allowed`, { details: { field: 'args' } });
  }
  checkArgs(request.args, limits);
  const [violation] = findLimitViolations(request.limits, limits.max);
  if (violation) {
    throw new AppError(
      HTTP_ERRORS.limitTooHigh,
      `limits.${violation.key} is ${violation.requested}; the server allows at most ${violation.maximum}`,
      { details: { ...violation } },
    );
  }
}

/** Every argument reaches the program's argv through execve, whose own limits (and cost) grow with their size. */
function checkArgs(args: readonly string[], limits: LimitsConfig): void {
  let total = 0;
  for (const [index, arg] of args.entries()) {
    const bytes = Buffer.byteLength(arg);
    if (bytes > limits.maxArgBytes) {
      throw new AppError(HTTP_ERRORS.argTooLarge, `args[${index}] is ${bytes} bytes; at most ${limits.maxArgBytes} bytes are allowed per argument`, {
        details: { field: `args[${index}]`, bytes, maximum: limits.maxArgBytes },
      });
    }
    total += bytes;
  }
  if (total > limits.maxArgsTotalBytes) {
    throw new AppError(HTTP_ERRORS.argsTooLarge, `args are ${total} bytes together; at most ${limits.maxArgsTotalBytes} bytes are allowed in all`, {
      details: { field: 'args', bytes: total, maximum: limits.maxArgsTotalBytes },
    });
  }
}

function checkStdin(field: string, stdin: string, maximum: number): void {
  const bytes = Buffer.byteLength(stdin);
  if (bytes > maximum) {
    throw new AppError(HTTP_ERRORS.stdinTooLarge, `${field} is ${bytes} bytes; at most ${maximum} bytes are allowed`, {
      details: { field, bytes, maximum },
    });
  }
}
