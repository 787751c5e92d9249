// Read access over REST: private executions stay with their owner and staff; room executions are shared without their
// private parts; histories are personal; queue listings and cancel answers do not reveal others' private work.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;
let ann: Awaited<ReturnType<typeof makeUser>>;
let bob: Awaited<ReturnType<typeof makeUser>>;
let teacher: Awaited<ReturnType<typeof makeUser>>;
let privateId: string;
let roomId: string;

beforeAll(async () => {
  stack = await createTestStack();
  [ann, bob, teacher] = await Promise.all([makeUser('Ann'), makeUser('Bob'), makeUser('Tess', 'teacher')]);
  const alone = await call(stack.app, 'POST', '/api/v1/submissions', { headers: ann.headers, payload: { language: 'python', source: 'print("private")' } });
  const inRoom = await call(stack.app, 'POST', '/api/v1/submissions', { headers: ann.headers, payload: { language: 'python', source: 'print("shared")', roomId: 'study-group' } });
  privateId = alone.body.id;
  roomId = inRoom.body.id;
  await waitForSubmission(stack.app, privateId, ann.headers);
  await waitForSubmission(stack.app, roomId, ann.headers);
});

afterAll(async () => {
  await stack.close();
});

describe('reading executions', () => {
  it('should show a private execution to its owner and to staff', async () => {
    expect((await call(stack.app, 'GET', `/api/v1/submissions/${privateId}`, { headers: ann.headers })).body.stdout).toBe('private\n');
    expect((await call(stack.app, 'GET', `/api/v1/submissions/${privateId}`, { headers: teacher.headers })).statusCode).toBe(200);
  });

  it('should answer 404 to anyone else, on the native and the compatibility routes', async () => {
    for (const url of [`/api/v1/submissions/${privateId}`, `/submission/${privateId}`, `/api/execution/history/execution/${privateId}`]) {
      const response = await call(stack.app, 'GET', url, { headers: bob.headers });
      expect(response.statusCode).toBe(404);
      expect(response.text).not.toContain('private');
    }
  });

  it('should show an execution run in a room to other users, without its source', async () => {
    expect((await call(stack.app, 'GET', `/api/v1/submissions/${roomId}`, { headers: bob.headers })).body.stdout).toBe('shared\n');
    const detail = await call(stack.app, 'GET', `/api/execution/history/execution/${roomId}`, { headers: bob.headers });
    expect(detail.statusCode).toBe(200);
    expect(detail.body.execution.code).toBeUndefined();
  });
});

describe('reading a user\'s history', () => {
  it('should let the user and staff read it', async () => {
    expect((await call(stack.app, 'GET', `/api/v1/users/${ann.userId}/history`, { headers: ann.headers })).body.count).toBe(2);
    expect((await call(stack.app, 'GET', `/api/v1/users/${ann.userId}/history`, { headers: teacher.headers })).body.count).toBe(2);
  });

  it('should refuse anyone else with 403', async () => {
    for (const url of [`/api/v1/users/${ann.userId}/history`, `/api/execution/history/user/${ann.userId}`]) {
      const response = await call(stack.app, 'GET', url, { headers: bob.headers });
      expect(response.statusCode).toBe(403);
      expect(response.body.error.code).toBe('RUNLANE_ERR_AUTH_FORBIDDEN');
    }
  });
});

describe('when someone else reads a judged room execution', () => {
  const marker = randomUUID();
  const room = `exam-${marker}`;
  /** Everything of Ann's that only she and staff may read; compared in lower case, as the program upper-cases its input. */
  const privateParts = [`source-marker-${marker}`, `top-stdin-${marker}`, `hidden-input-${marker}`, `second-input-${marker}`, `wrong-expected-${marker}`];
  let judgedId: string;

  beforeAll(async () => {
    const submitted = await call(stack.app, 'POST', '/api/v1/submissions', {
      headers: ann.headers,
      query: { wait: 'true' },
      payload: {
        language: 'python',
        source: `# source-marker-${marker}\nprint(input().upper())`,
        stdin: `top-stdin-${marker}`,
        roomId: room,
        testCases: [
          { stdin: `hidden-input-${marker}`, expectedOutput: `HIDDEN-INPUT-${marker.toUpperCase()}` },
          { stdin: `second-input-${marker}`, expectedOutput: `wrong-expected-${marker}` },
        ],
      },
    });
    expect(submitted.statusCode).toBe(200);
    judgedId = submitted.body.id;
  });

  const leaks = (text: string) => privateParts.filter((part) => text.toLowerCase().includes(part));

  it('should show verdicts, figures and attribution but no source, stdin, test input or expected output on every read route', async () => {
    for (const url of [
      `/api/v1/submissions/${judgedId}`,
      `/submission/${judgedId}`,
      `/api/execution/history/execution/${judgedId}`,
      `/api/v1/rooms/${room}/history`,
      `/api/execution/history/room/${room}`,
    ]) {
      const response = await call(stack.app, 'GET', url, { headers: bob.headers });
      expect(response.statusCode, url).toBe(200);
      expect(leaks(response.text), url).toEqual([]);
    }
    const detail = await call(stack.app, 'GET', `/api/v1/submissions/${judgedId}`, { headers: bob.headers });
    expect(detail.body).toMatchObject({ verdict: 'wrong_answer', user: { userId: ann.userId }, wallTimeMs: expect.any(Number) });
    expect(detail.body.testCases.map((testCase: { verdict: string }) => testCase.verdict)).toEqual(['accepted', 'wrong_answer']);
    expect(detail.body.testCases[0]).toMatchObject({ expectedOutput: null, stdout: '', memoryKb: expect.any(Number) });
    const history = await call(stack.app, 'GET', `/api/v1/rooms/${room}/history`, { headers: bob.headers });
    expect(history.body.items[0].testCases[0].expectedOutput).toBeNull();
  });

  it('should show everything to the author and to a teacher', async () => {
    for (const viewer of [ann, teacher]) {
      const history = await call(stack.app, 'GET', `/api/v1/rooms/${room}/history`, { headers: viewer.headers });
      expect(history.body.items[0].testCases[0]).toMatchObject({ stdout: `HIDDEN-INPUT-${marker.toUpperCase()}\n`, expectedOutput: `HIDDEN-INPUT-${marker.toUpperCase()}` });
      const detail = await call(stack.app, 'GET', `/api/execution/history/execution/${judgedId}`, { headers: viewer.headers });
      expect(detail.body.execution).toMatchObject({ code: expect.stringContaining(`source-marker-${marker}`), stdin: `top-stdin-${marker}` });
    }
  });
});

describe('when another user lists the queue or cancels', () => {
  let busy: TestStack;
  const sleeper = (tag: string) => `import time\ntime.sleep(3)\nprint("${tag}")`;

  beforeAll(async () => {
    // One slot: the first private execution runs, the second waits, so both are listed while the test looks.
    busy = await createTestStack({ scheduler: { maxConcurrent: 1 } });
  });

  afterAll(async () => {
    await busy?.close();
  });

  it('should list only counts of others\' private work, but their room work and one\'s own work in full', async () => {
    const submit = async (payload: object) => (await call(busy.app, 'POST', '/api/v1/submissions', { headers: ann.headers, payload })).body.id as string;
    const running = await submit({ language: 'python', source: sleeper('running') });
    const waiting = await submit({ language: 'python', source: sleeper('waiting') });
    const inRoom = await submit({ language: 'python', source: sleeper('room'), roomId: `queue-room-${randomUUID()}` });
    const ids = (snapshot: { active: { id: string }[]; queued: { id: string }[] }) => [...snapshot.active, ...snapshot.queued].map((entry) => entry.id);

    const asBob = await call(busy.app, 'GET', '/api/v1/queue', { headers: bob.headers });
    const compatAsBob = await call(busy.app, 'GET', '/api/execution/queue/status', { headers: bob.headers });
    const asTeacher = await call(busy.app, 'GET', '/api/v1/queue', { headers: teacher.headers });
    const asAnn = await call(busy.app, 'GET', '/api/v1/queue', { headers: ann.headers });

    // Entries only ever leave the queue, so what Ann still sees last was there when the others looked.
    const stillListed = ids(asAnn.body).filter((id) => id === running || id === waiting);
    expect(stillListed.length).toBeGreaterThan(0);
    for (const id of stillListed) {
      expect(ids(asBob.body)).not.toContain(id);
      expect(ids(compatAsBob.body)).not.toContain(id);
      expect(ids(asTeacher.body)).toContain(id);
    }
    expect(asBob.body.queueLength + asBob.body.activeCount).toBeGreaterThanOrEqual(stillListed.length);
    expect(compatAsBob.body.queueLength + compatAsBob.body.activeExecutions).toBeGreaterThanOrEqual(stillListed.length);
    if (ids(asAnn.body).includes(inRoom)) expect(ids(asBob.body)).toContain(inRoom);
  });

  it('should answer a cancel of someone else\'s private execution exactly like an unknown id, and 403 for room work', async () => {
    const privateId = (await call(busy.app, 'POST', '/api/v1/submissions', { headers: ann.headers, payload: { language: 'python', source: 'print(1)' } })).body.id as string;
    const roomWork = (await call(busy.app, 'POST', '/api/v1/submissions', { headers: ann.headers, payload: { language: 'python', source: 'print(2)', roomId: `cancel-room-${randomUUID()}` } })).body.id as string;
    const unknownId = randomUUID();

    const ofPrivate = await call(busy.app, 'DELETE', `/api/v1/submissions/${privateId}`, { headers: bob.headers });
    const ofUnknown = await call(busy.app, 'DELETE', `/api/v1/submissions/${unknownId}`, { headers: bob.headers });
    expect(ofPrivate.statusCode).toBe(404);
    expect(ofUnknown.statusCode).toBe(404);
    expect(ofPrivate.text.replaceAll(privateId, '<id>')).toBe(ofUnknown.text.replaceAll(unknownId, '<id>'));

    const ofRoomWork = await call(busy.app, 'DELETE', `/api/v1/submissions/${roomWork}`, { headers: bob.headers });
    expect(ofRoomWork.statusCode).toBe(403);
    expect(ofRoomWork.body.error.code).toBe('RUNLANE_ERR_QUEUE_CANCEL_FORBIDDEN');
  });
});
