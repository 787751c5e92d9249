// Every kind of bad input gets a clear 4xx with a stable code, never a 500 or a stack trace, and the server keeps serving.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type JsonResponse } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;
let headers: Record<string, string>;

beforeAll(async () => {
  // A small body cap so the 413 case does not need megabytes; code and stdin caps stay at their defaults below it.
  stack = await createTestStack({ server: { bodyLimitBytes: 2 * 1024 * 1024 } });
  headers = { ...(await makeUser()).headers };
});

afterAll(async () => {
  await stack?.close();
});

const submit = (payload: unknown, extraHeaders: Record<string, string> = {}) =>
  call(stack.app, 'POST', '/api/v1/submissions', { headers: { ...headers, ...extraHeaders }, payload: payload as object });

function expectClientError(response: JsonResponse, statusCode: number, code: string): void {
  expect(response.statusCode).toBe(statusCode);
  expect(response.body.error.code).toBe(code);
  expect(typeof response.body.error.message).toBe('string');
  expect(response.text).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|stack/i);
}

const python = (source: string, extra: Record<string, unknown> = {}) => ({ language: 'python', source, ...extra });

describe('when the input is bad', () => {
  const cases: Array<{ name: string; send: () => Promise<JsonResponse>; status: number; code: string; mentions?: string }> = [
    {
      name: 'malformed JSON',
      send: () => submit('{"language": "python", "source": ', { 'content-type': 'application/json' }),
      status: 400,
      code: 'RUNLANE_ERR_HTTP_MALFORMED_JSON',
    },
    {
      name: 'an empty JSON body',
      send: () => submit('', { 'content-type': 'application/json' }),
      status: 400,
      code: 'RUNLANE_ERR_HTTP_MALFORMED_JSON',
    },
    { name: 'a missing language', send: () => submit({ source: 'print(1)' }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'language' },
    { name: 'a number as language', send: () => submit({ language: 3, source: 'print(1)' }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.language' },
    { name: 'a number as source', send: () => submit({ language: 'python', source: 42 }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.source' },
    { name: 'a string as limits', send: () => submit(python('print(1)', { limits: 'lots' })), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.limits' },
    { name: 'a negative limit', send: () => submit(python('print(1)', { limits: { memoryMb: -1 } })), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.limits.memoryMb' },
    { name: 'an unknown limit', send: () => submit(python('print(1)', { limits: { memory: 64 } })), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.limits.memory' },
    { name: 'an unknown field', send: () => submit(python('print(1)', { stdIn: 'typo' })), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.stdIn' },
    { name: 'the seed field name `code`', send: () => submit({ language: 'python', code: 'print(1)' }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.code: is not a known field; did you mean `source`?' },
    { name: 'an unknown priority', send: () => submit(python('print(1)', { priority: 'urgent' })), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.priority' },
    { name: 'a JSON array body', send: () => submit([1, 2, 3]), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION' },
    { name: 'both source and files', send: () => submit(python('print(1)', { files: [{ name: 'a.py', content: 'print(2)' }] })), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'files' },
    { name: 'an unknown language', send: () => submit({ language: 'cobol-85', source: 'DISPLAY 1' }), status: 400, code: 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE' },
    { name: 'empty code', send: () => submit(python('')), status: 400, code: 'RUNLANE_ERR_ENGINE_EMPTY_SOURCE' },
    { name: 'whitespace-only code', send: () => submit(python('   \n\t')), status: 400, code: 'RUNLANE_ERR_ENGINE_EMPTY_SOURCE' },
    { name: 'no source and no files', send: () => submit({ language: 'python' }), status: 400, code: 'RUNLANE_ERR_ENGINE_EMPTY_SOURCE' },
    { name: 'code above 64 KiB', send: () => submit(python(`print(1)\n${'#'.repeat(64 * 1024)}`)), status: 413, code: 'RUNLANE_ERR_HTTP_CODE_TOO_LARGE', mentions: '65536' },
    { name: 'stdin above 1 MiB', send: () => submit(python('print(1)', { stdin: 'x'.repeat(1024 * 1024 + 1) })), status: 413, code: 'RUNLANE_ERR_HTTP_STDIN_TOO_LARGE' },
    {
      name: 'a test case stdin above 1 MiB',
      send: () => submit(python('print(1)', { testCases: [{ stdin: 'x'.repeat(1024 * 1024 + 1) }] })),
      status: 413,
      code: 'RUNLANE_ERR_HTTP_STDIN_TOO_LARGE',
      mentions: 'testCases[0].stdin',
    },
    {
      name: 'too many files',
      send: () => submit({ language: 'python', files: Array.from({ length: 33 }, (_, index) => ({ name: `f${index}.py`, content: 'print(1)' })) }),
      status: 400,
      code: 'RUNLANE_ERR_HTTP_TOO_MANY_FILES',
    },
    {
      name: 'a file name escaping the work dir',
      send: () => submit({ language: 'python', files: [{ name: '../../etc/passwd', content: 'print(1)' }] }),
      status: 400,
      code: 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME',
    },
    { name: 'an entry that is not a submitted file', send: () => submit({ language: 'python', files: [{ name: 'a.py', content: 'print(1)' }], entry: 'b.py' }), status: 400, code: 'RUNLANE_ERR_ENGINE_UNKNOWN_ENTRY' },
    {
      name: 'a memory limit above the maximum (rejected, not clamped)',
      send: () => submit(python('print(1)', { limits: { memoryMb: 1_000_000 } })),
      status: 400,
      code: 'RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH',
      mentions: 'limits.memoryMb',
    },
    { name: 'a time limit above the maximum', send: () => submit(python('print(1)', { limits: { wallTimeMs: 3_600_000 } })), status: 400, code: 'RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH', mentions: 'wallTimeMs' },
    { name: 'a body above the size cap', send: () => submit(python('x'.repeat(3 * 1024 * 1024))), status: 413, code: 'RUNLANE_ERR_HTTP_BODY_TOO_LARGE' },
    {
      name: 'an unsupported content type',
      send: () => stack.app.inject({ method: 'POST', url: '/api/v1/submissions', headers: { ...headers, 'content-type': 'application/xml' }, payload: '<a/>' }).then(toJson),
      status: 415,
      code: 'RUNLANE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a text/plain body',
      send: () => stack.app.inject({ method: 'POST', url: '/api/v1/submissions', headers: { ...headers, 'content-type': 'text/plain' }, payload: 'print(1)' }).then(toJson),
      status: 415,
      code: 'RUNLANE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
      mentions: 'application/json',
    },
    {
      name: 'a text/plain body on a seed route',
      send: () => stack.app.inject({ method: 'POST', url: '/execute', headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, payload: 'print(1)' }).then(toJson),
      status: 415,
      code: 'RUNLANE_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
      mentions: 'application/json',
    },
    { name: 'a non-numeric wait', send: () => call(stack.app, 'POST', '/api/v1/submissions', { headers, query: { wait: 'soon' }, payload: python('print(1)') }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'querystring.wait' },
    { name: 'an unknown query parameter on submit', send: () => call(stack.app, 'POST', '/api/v1/submissions', { headers, query: { wiat: '5000' }, payload: python('print(1)') }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'querystring.wiat: is not a known parameter; this route accepts `wait`' },
    { name: 'a query parameter on a route that takes none', send: () => call(stack.app, 'GET', '/api/v1/languages', { headers, query: { verbose: '1' } }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'querystring.verbose: is not a known parameter; this route takes no query parameters' },
    { name: 'an unknown query parameter next to a known one', send: () => call(stack.app, 'GET', `/api/v1/rooms/${randomUUID()}/history`, { headers, query: { limit: '5', offset: '10' } }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'querystring.offset' },
    { name: 'an unknown submission id', send: () => call(stack.app, 'GET', `/api/v1/submissions/${randomUUID()}`, { headers }), status: 404, code: 'RUNLANE_ERR_QUEUE_NOT_FOUND' },
    { name: 'an unknown route', send: () => call(stack.app, 'GET', '/api/v1/nothing-here', { headers }), status: 404, code: 'RUNLANE_ERR_HTTP_NOT_FOUND' },
    { name: 'a wrong method', send: () => call(stack.app, 'PUT', '/api/v1/submissions', { headers, payload: {} }), status: 404, code: 'RUNLANE_ERR_HTTP_NOT_FOUND' },
    { name: 'a batch item with a wrong type', send: () => call(stack.app, 'POST', '/api/v1/submissions/batch', { headers, payload: { submissions: [{ language: 1 }] } }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'body.submissions.0.language' },
    { name: 'an empty batch', send: () => call(stack.app, 'POST', '/api/v1/submissions/batch', { headers, payload: { submissions: [] } }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION' },
    { name: 'seed 000 /execute without code', send: () => call(stack.app, 'POST', '/execute', { headers, payload: { language: 'python' } }), status: 400, code: 'RUNLANE_ERR_HTTP_VALIDATION', mentions: 'code' },
    { name: 'seed 004 /run with an unknown language', send: () => call(stack.app, 'POST', '/run', { headers, payload: { code: 'x', language: 'brainfudge' } }), status: 400, code: 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE' },
  ];

  for (const testCase of cases) {
    it(`should answer ${testCase.status} ${testCase.code} for ${testCase.name}`, async () => {
      const response = await testCase.send();
      expectClientError(response, testCase.status, testCase.code);
      if (testCase.mentions) expect(response.body.error.message).toContain(testCase.mentions);
    });
  }

  it('should list every invalid field of a body in one answer', async () => {
    const response = await submit({ language: 3, source: 42, limits: { memoryMb: -1 }, stdIn: 'typo' });
    expectClientError(response, 400, 'RUNLANE_ERR_HTTP_VALIDATION');
    const fields = (response.body.error.details.fields as Array<{ field: string; message: string }>).map(({ field }) => field);
    expect(fields).toEqual(expect.arrayContaining(['body.language', 'body.source', 'body.limits.memoryMb', 'body.stdIn']));
    for (const field of fields) expect(response.body.error.message).toContain(field);
  });

  it('should leave extra query parameters on the seed routes alone, as their systems did', async () => {
    const response = await call(stack.app, 'GET', '/stats', { headers, query: { cacheBust: '1' } });
    expect(response.statusCode).toBe(200);
  });

  it('should keep serving after all of them', async () => {
    const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers, query: { wait: 'true' }, payload: python('print("still here")') });
    expect(response.statusCode).toBe(200);
    expect(response.body.stdout).toBe('still here\n');
  });

  it('should have counted the refused submissions by code', async () => {
    const metrics = await call(stack.app, 'GET', '/metrics');
    expect(metrics.text).toMatch(/runlane_submissions_rejected_total\{code="RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH"\} [1-9]/);
    expect(metrics.text).toMatch(/runlane_submissions_rejected_total\{code="RUNLANE_ERR_HTTP_VALIDATION"\} [1-9]/);
  });
});

describe('when a route fails unexpectedly', () => {
  it('should answer 500 RUNLANE_ERR_HTTP_INTERNAL without internals', async () => {
    const original = stack.service.stats.bind(stack.service);
    stack.service.stats = async () => {
      throw new Error('database exploded at /secret/path/db.sqlite');
    };
    try {
      const response = await call(stack.app, 'GET', '/api/v1/stats', { headers });
      expect(response.statusCode).toBe(500);
      expect(response.body.error.code).toBe('RUNLANE_ERR_HTTP_INTERNAL');
      expect(response.text).not.toContain('secret');
      expect(response.text).not.toContain('exploded');
    } finally {
      stack.service.stats = original;
    }
    expect((await call(stack.app, 'GET', '/api/v1/stats', { headers })).statusCode).toBe(200);
  });
});

function toJson(response: { statusCode: number; headers: JsonResponse['headers']; body: string }): JsonResponse {
  return { statusCode: response.statusCode, headers: response.headers, body: JSON.parse(response.body), text: response.body };
}
