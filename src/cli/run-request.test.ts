// `runlane run` arguments become a request draft: piped stdin, --stdin and the flags' limits.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRunRequest } from './run-request.js';

let scratch: string;
let program: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'runlane-run-request-'));
  program = join(scratch, 'add.py');
  await writeFile(program, 'print(sum(map(int, input().split())))\n');
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('when stdin is piped into `runlane run`', () => {
  it('should give the piped text to the program as stdin', async () => {
    const draft = await buildRunRequest(program, [], {}, Readable.from(['1 ', '2\n']));
    expect(draft.stdin).toBe('1 2\n');
  });

  it('should prefer --stdin over the pipe', async () => {
    const input = join(scratch, 'input.txt');
    await writeFile(input, 'from file\n');
    const draft = await buildRunRequest(program, [], { stdin: input }, Readable.from(['from pipe\n']));
    expect(draft.stdin).toBe('from file\n');
  });

  it('should judge every test case against the piped stdin', async () => {
    const expected = join(scratch, 'expected.txt');
    await writeFile(expected, '3\n');
    const draft = await buildRunRequest(program, [], { expect: expected }, Readable.from(['1 2\n']));
    expect(draft.testCases).toEqual([{ stdin: '1 2\n', expectedOutput: '3\n' }]);
  });
});

describe('when stdin is a terminal', () => {
  it('should give the program empty stdin rather than wait for typing', async () => {
    const draft = await buildRunRequest(program, [], {}, null);
    expect(draft.stdin).toBe('');
  });
});
