// Submissions whose every test case prints nearly its whole output limit: what a submission keeps is capped and marked
// truncated, what is stored stays under the cap, and every read of it (by id, history, compat history) stays small.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

/** The server maximum of `limits.outputBytes`; each run prints less, so no run hits its own limit. */
const OUTPUT_LIMIT = 64_000_000;
const MB = 1_000_000;

/** A program printing `megabytes` MB to stdout, fast: 1000-byte lines through the binary buffer. */
function flood(megabytes: number): string {
  return `import sys\nline = b"x" * 999 + b"\\n"\nout = sys.stdout.buffer\nfor _ in range(${megabytes * 1000}):\n    out.write(line)\n`;
}
/** Room a history entry has beyond its preview: metadata of up to 100 test cases. */
const LIST_ITEM_BYTES = 64 * 1024;

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack({ limits: { maxTestCases: 100 } });
});

afterAll(async () => {
  await stack?.close();
});

/** Bytes of output text stored for one submission, over every column and row that holds some, and the result JSON apart. */
function storedSizes(submissionId: string): { outputBytes: number; resultJsonBytes: number } {
  const db = new Database(stack.databasePath, { readonly: true, fileMustExist: true });
  try {
    const bytes = (column: string) => `coalesce(length(cast(${column} as blob)), 0)`;
    const cases = db
      .prepare(`select coalesce(sum(${bytes('stdout')} + ${bytes('stderr')}), 0) as total from test_case_results where submission_id = ?`)
      .get(submissionId) as { total: number };
    const row = db
      .prepare(`select ${bytes('stdout')} + ${bytes('stderr')} + ${bytes('compile_output')} as output, ${bytes('result')} as result from submissions where id = ?`)
      .get(submissionId) as { output: number; result: number };
    return { outputBytes: cases.total + row.output, resultJsonBytes: row.result };
  } finally {
    db.close();
  }
}

/** A GET through the app, with how long it took. */
async function timedGet(url: string, headers: Record<string, string>) {
  const started = performance.now();
  const response = await call(stack.app, 'GET', url, { headers });
  return { ...response, ms: performance.now() - started };
}

describe('when every test case of a submission prints close to the output limit', () => {
  // 100 cases print 16 MB each (1.6 GB in all) to keep the suite's time reasonable; without the cap that is already far
  // more than one answer can hold.
  it.each([
    [10, 63],
    [100, 16],
  ])('should finish %i test cases of %i MB each, keep at most the cap of output, and answer every read quickly and small', async (cases, megabytes) => {
    const cap = stack.config.limits.maxSubmissionOutputBytes;
    const user = await makeUser('Flooder');
    const roomId = `room-${randomUUID()}`;
    const submitted = await call(stack.app, 'POST', '/api/v1/submissions', {
      headers: user.headers,
      payload: { language: 'python', source: flood(megabytes), roomId, limits: { outputBytes: OUTPUT_LIMIT }, testCases: Array.from({ length: cases }, () => ({ stdin: '' })) },
    });
    expect(submitted.statusCode).toBe(202);
    const id = submitted.body.id as string;
    // Gigabytes go through the sandbox, so the wait is long on a busy machine.
    const finished = await stack.service.waitFor(id, 600_000);
    expect(finished?.status).toBe('completed');

    const read = await timedGet(`/api/v1/submissions/${id}`, user.headers);
    expect(read.statusCode).toBe(200);
    // The verdict saw every byte and is unchanged: no run passed its own limit, so none is output_limit_exceeded.
    expect(read.body).toMatchObject({ status: 'completed', verdict: 'accepted', outputTruncated: true });
    expect(read.body.testCases).toHaveLength(cases);
    expect(read.body.testCases.every((testCase: { verdict: string }) => testCase.verdict === 'accepted')).toBe(true);
    const kept = read.body.testCases.reduce((sum: number, testCase: { stdout: string; stderr: string }) => sum + testCase.stdout.length + testCase.stderr.length, 0);
    expect(kept).toBeLessThanOrEqual(cap);
    // Some output was kept, and every case that lost output says so.
    expect(kept).toBeGreaterThan(cap / 2);
    for (const testCase of read.body.testCases as Array<{ stdout: string; stdoutTruncated: boolean }>) {
      expect(testCase.stdoutTruncated).toBe(testCase.stdout.length < megabytes * MB);
      expect(testCase.stdout.length).toBeGreaterThan(0);
    }
    // The answer by id is the kept output plus the first run's copy at the top level, and little else.
    expect(read.text.length).toBeLessThan(2 * cap + 1024 * 1024);

    const stored = storedSizes(id);
    expect(stored.outputBytes).toBeLessThanOrEqual(cap);
    expect(stored.resultJsonBytes).toBeLessThan(LIST_ITEM_BYTES);

    const histories = [`/api/v1/users/${user.userId}/history`, `/api/v1/rooms/${roomId}/history`, `/api/execution/history/user/${user.userId}`, `/api/execution/history/room/${roomId}`];
    for (const url of histories) {
      const history = await timedGet(url, user.headers);
      expect(history.statusCode, url).toBe(200);
      expect(history.text.length, url).toBeLessThan(LIST_ITEM_BYTES);
      expect(history.ms, url).toBeLessThan(2_000);
    }
    const [item] = (await call(stack.app, 'GET', `/api/v1/users/${user.userId}/history`, { headers: user.headers })).body.items;
    expect(item).toMatchObject({ id, verdict: 'accepted', outputTruncated: true });
    expect(item.stdout.length).toBeLessThanOrEqual(4096);
    const [entry] = (await call(stack.app, 'GET', `/api/execution/history/room/${roomId}`, { headers: user.headers })).body.history;
    expect(entry).toMatchObject({ executionId: id, truncated: true });

    expect((await call(stack.app, 'GET', '/health')).statusCode).toBe(200);
  }, 900_000);
});

describe('when a run passes its own output limit', () => {
  it('should still be output_limit_exceeded, with what it kept marked truncated only if the submission cap cut it', async () => {
    const user = await makeUser('Overflow');
    const response = await call(stack.app, 'POST', '/api/v1/submissions', {
      headers: user.headers,
      query: { wait: 'true' },
      payload: { language: 'python', source: flood(2), limits: { outputBytes: MB } },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ verdict: 'output_limit_exceeded', outputTruncated: false });
    expect(response.body.testCases[0]).toMatchObject({ verdict: 'output_limit_exceeded', stdoutTruncated: false });
    expect(response.body.stdout).toHaveLength(MB);
  });
});
