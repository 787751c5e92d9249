// Scheduling seen through the REST API on the real stack: round-robin fairness across rooms and priority order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionEvent } from '../../src/submissions/index.js';
import { call, eventually } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

let stack: TestStack;
const startOrder: string[] = [];

beforeAll(async () => {
  // One slot, so the start order is exactly the dispatch order.
  stack = await createTestStack({ scheduler: { maxConcurrent: 1, roomMaxQueued: 50, roomMaxRunning: 3 } });
  stack.service.subscribe((event: SubmissionEvent) => {
    if (event.type === 'started') startOrder.push(event.entry.id);
  });
});

afterAll(async () => {
  await stack.close();
});

async function submit(headers: Record<string, string>, body: Record<string, unknown>): Promise<string> {
  const response = await call(stack.app, 'POST', '/api/v1/submissions', { headers, payload: { language: 'python', ...body } });
  expect(response.statusCode).toBe(202);
  return response.body.id as string;
}

async function settle(ids: string[]): Promise<void> {
  const finished = await eventually(async () => {
    const states = await Promise.all(ids.map((id) => stack.service.get(id)));
    return states.every((state) => state?.submission.status === 'completed');
  }, 60_000);
  expect(finished).toBe(true);
}

describe('scheduling over HTTP', () => {
  describe('when one room floods the queue', () => {
    it('should start another room\'s single job within one slot', async () => {
      startOrder.length = 0;
      const blocker = await makeUser('Blocker');
      const blockerId = await submit(blocker.headers, { source: 'import time\ntime.sleep(0.8)', roomId: 'warm-up' });
      const flooders = await Promise.all(Array.from({ length: 10 }, (_, index) => makeUser(`Flooder ${index}`)));
      const floodIds: string[] = [];
      for (const user of flooders) floodIds.push(await submit(user.headers, { source: 'print(1)', roomId: 'busy-room' }));
      const loner = await makeUser('Loner');
      const lonerId = await submit(loner.headers, { source: 'print(2)', roomId: 'quiet-room' });

      await settle([blockerId, ...floodIds, lonerId]);
      const afterBlocker = startOrder.filter((id) => id !== blockerId);
      expect(afterBlocker.indexOf(lonerId)).toBeLessThanOrEqual(1);
      // The flood itself stays FIFO.
      expect(afterBlocker.filter((id) => id !== lonerId)).toEqual(floodIds);
    });
  });

  describe('when priorities differ', () => {
    it('should run teachers first, then `submit`, then `run` in arrival order', async () => {
      startOrder.length = 0;
      const blocker = await makeUser('Blocker');
      const blockerId = await submit(blocker.headers, { source: 'import time\ntime.sleep(0.8)' });
      const students = await Promise.all([makeUser('S1'), makeUser('S2'), makeUser('S3')]);
      const runIds = [
        await submit(students[0]!.headers, { source: 'print(1)', priority: 'run' }),
        await submit(students[1]!.headers, { source: 'print(1)', priority: 'run' }),
      ];
      const submitId = await submit(students[2]!.headers, { source: 'print(1)', priority: 'submit' });
      const teacher = await makeUser('Teacher', 'teacher');
      const teacherId = await submit(teacher.headers, { source: 'print(1)', priority: 'run' });

      await settle([blockerId, ...runIds, submitId, teacherId]);
      expect(startOrder.filter((id) => id !== blockerId)).toEqual([teacherId, submitId, ...runIds]);
    });
  });
});
