// Size caps a submission must meet before it is admitted: here, the command-line arguments.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { executionRequest } from '../domain/submission.js';
import { HTTP_ERRORS, type AppError } from '../errors/index.js';
import { validateSubmission } from './validate-submission.js';

const limits = loadConfig({ env: {}, flags: { 'limits.maxArgBytes': 16, 'limits.maxArgsTotalBytes': 40, 'limits.maxArgs': 10 } }).limits;

function refusal(args: string[]): AppError | null {
  try {
    validateSubmission(executionRequest('python', [{ name: 'main.py', content: 'print(1)' }], { args }), limits);
    return null;
  } catch (error) {
    return error as AppError;
  }
}

describe('validateSubmission', () => {
  describe('when the arguments are within the caps', () => {
    it('should accept them, up to exactly the limits', () => {
      expect(refusal(['a'.repeat(16), 'b'.repeat(16), 'c'.repeat(8)])).toBeNull();
      expect(refusal([])).toBeNull();
    });
  });

  describe('when one argument is too long', () => {
    it('should refuse with 400 RUNLANE_ERR_HTTP_ARG_TOO_LARGE naming the argument and the limit', () => {
      const error = refusal(['ok', 'x'.repeat(17)]);
      expect(error).toMatchObject({ code: HTTP_ERRORS.argTooLarge.code, statusCode: 400, details: { field: 'args[1]', bytes: 17, maximum: 16 } });
      expect(error?.message).toBe('args[1] is 17 bytes; at most 16 bytes are allowed per argument');
    });

    it('should count UTF-8 bytes, not characters', () => {
      expect(refusal(['é'.repeat(9)])).toMatchObject({ code: HTTP_ERRORS.argTooLarge.code, details: { bytes: 18 } });
    });
  });

  describe('when the arguments are too long together', () => {
    it('should refuse with 400 RUNLANE_ERR_HTTP_ARGS_TOO_LARGE and the total limit', () => {
      const error = refusal(['a'.repeat(16), 'b'.repeat(16), 'c'.repeat(9)]);
      expect(error).toMatchObject({ code: HTTP_ERRORS.argsTooLarge.code, statusCode: 400, details: { field: 'args', bytes: 41, maximum: 40 } });
      expect(error?.message).toContain('at most 40 bytes');
    });
  });
});
