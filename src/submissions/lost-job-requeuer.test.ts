// LostJobRequeuer: queued rows the queue no longer holds are enqueued again; young rows, held jobs and other statuses are left alone.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { executionRequest, type Submission } from '../domain/submission.js';
import { silentLogger } from '../logging/logger.js';
import { MemoryJobQueue } from '../queue/memory/memory-job-queue.js';
import { queueLimitsFromConfig } from '../queue/queue-limits.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { LostJobRequeuer } from './lost-job-requeuer.js';
import { jobOf } from './queued-job.js';

function submission(createdAt: Date): Submission {
  return {
    id: randomUUID(), correlationId: randomUUID(), roomId: null, user: { userId: `user-${randomUUID()}`, displayName: 'Ada', avatar: null, role: 'user' },
    title: null, priorityKind: 'run', priority: 0, request: executionRequest('python', [{ name: 'main.py', content: 'print(1)' }]),
    status: 'queued', verdict: null, result: null, error: null, createdAt, startedAt: null, finishedAt: null,
  };
}

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

async function setup() {
  const store: Store = await createSqliteStore(':memory:');
  // A queue that runs nothing (no handler), so what is enqueued stays there to be seen.
  const queue = new MemoryJobQueue({ limits: queueLimitsFromConfig(loadConfig({ env: {} }).scheduler) });
  closers.push(() => store.close(), () => queue.close(0));
  const requeuer = new LostJobRequeuer({ store, queue, logger: silentLogger(), afterMs: 1_000 });
  return { store, queue, requeuer };
}

describe('LostJobRequeuer', () => {
  describe('when the store holds queued rows the queue lost', () => {
    it('should enqueue the old ones again and leave young, held and started ones alone', async () => {
      const { store, queue, requeuer } = await setup();
      const old = new Date(Date.now() - 60_000);
      const lost = submission(old);
      const held = submission(old);
      const young = submission(new Date());
      const started = submission(old);
      for (const row of [lost, held, young, started]) await store.createSubmission(row);
      await queue.enqueue(jobOf(held));
      await store.transition(started.id, ['queued'], { status: 'running', startedAt: new Date(), nodeId: 'worker' });

      await requeuer.runOnce();
      expect(await queue.get(lost.id)).not.toBeNull();
      expect(await queue.get(young.id)).toBeNull();
      expect(await queue.get(started.id)).toBeNull();
      // Held already: not enqueued twice (a second copy would have been refused and is skipped).
      expect((await queue.snapshot()).queueLength).toBe(2);

      await requeuer.runOnce();
      expect((await queue.snapshot()).queueLength).toBe(2);
    });
  });
});
