// Request validation: every invalid field is reported, unknown fields are named, and `code` points to `source`.
import { describe, expect, it } from 'vitest';
import { SubmissionBody } from '../contract/rest/submission-request.js';
import { toAppError } from './error-handler.js';
import { typeboxValidatorCompiler } from './validator.js';

function validateBody(value: unknown) {
  const validate = typeboxValidatorCompiler({ schema: SubmissionBody, httpPart: 'body', method: 'POST', url: '/api/v1/submissions' }) as (value: unknown) => { value?: unknown; error?: unknown };
  const result = validate(value);
  if (!result.error) return null;
  return toAppError(Object.assign(new Error('invalid'), { validation: result.error, validationContext: 'body' }), 1024);
}

describe('typeboxValidatorCompiler', () => {
  describe('when several fields are invalid', () => {
    it('should list every one of them in details.fields and in the message', () => {
      const error = validateBody({ language: 3, source: 42, limits: { memoryMb: 'lots' }, stdIn: 'typo' });
      expect(error?.code).toBe('RUNLANE_ERR_HTTP_VALIDATION');
      const fields = (error?.details?.fields as Array<{ field: string; message: string }>).map(({ field }) => field);
      expect(fields).toEqual(expect.arrayContaining(['body.language', 'body.source', 'body.limits.memoryMb', 'body.stdIn']));
      expect(new Set(fields).size).toBe(fields.length);
      expect(error?.message).toMatch(/^invalid request: body\./);
      for (const field of fields) expect(error?.message).toContain(field);
    });

    it('should keep naming the first field in details.field for older clients', () => {
      const error = validateBody({ source: 'print(1)', stdIn: 'typo' });
      expect(error?.details).toMatchObject({ field: expect.stringMatching(/^body\./), reason: expect.any(String) });
    });
  });

  describe('when a field is unknown', () => {
    it('should suggest `source` for `code`', () => {
      const error = validateBody({ language: 'python', code: 'print(1)' });
      expect(error?.details?.fields).toEqual([{ field: 'body.code', message: 'is not a known field; did you mean `source`?' }]);
      expect(error?.message).toContain('did you mean `source`?');
    });

    it('should name any other unknown field without a suggestion', () => {
      const error = validateBody({ language: 'python', source: 'print(1)', colour: 'red' });
      expect(error?.details?.fields).toEqual([{ field: 'body.colour', message: 'is not a known field' }]);
    });
  });

  describe('when the body is valid', () => {
    it('should accept it', () => {
      expect(validateBody({ language: 'python', source: 'print(1)' })).toBeNull();
    });
  });
});
