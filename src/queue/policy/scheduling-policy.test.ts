// The scheduling policy's claim rule: running caps, and the work-conserving per-user cap.
import { describe, expect, it } from 'vitest';
import type { BackendJob, RunningView } from '../backend.js';
import type { JobQueueLimits } from '../job-queue.js';
import { SchedulingPolicy } from './scheduling-policy.js';

const limits: JobQueueLimits = { maxConcurrent: 4, maxQueued: 10, roomMaxRunning: 2, roomMaxQueued: 10, userMaxQueued: 10, userMaxRunning: 1, keyMaxQueued: 10 };

function policy(): SchedulingPolicy {
  return new SchedulingPolicy({ limits, now: () => 0, assumedRunDurationMs: 1000, durationSamples: 5, durationRooms: 5, maxRetryAfterSeconds: 300 });
}

function running(total: number, rooms: Record<string, number> = {}, users: Record<string, number> = {}): RunningView {
  return { total, inRoom: (roomId) => rooms[roomId] ?? 0, ofUser: (userId) => users[userId] ?? 0 };
}

function candidate(roomId: string | null, userId: string): BackendJob {
  return { id: 'j', priority: 1, lane: 'l', roomId, userId, keyId: null, enqueuedAt: 0, data: null as never, state: 'queued', startedAt: null, attempts: 0 };
}

describe('SchedulingPolicy.mayStart', () => {
  describe('when every cap has room', () => {
    it('should take the candidate', () => {
      expect(policy().mayStart(candidate('r', 'ada'), running(0))).toBe('take');
    });
  });

  describe('when the node or the room is at its running cap', () => {
    it('should skip the candidate, whoever it belongs to', () => {
      expect(policy().mayStart(candidate(null, 'ada'), running(4))).toBe('skip');
      expect(policy().mayStart(candidate('r', 'ada'), running(2, { r: 2 }))).toBe('skip');
    });
  });

  describe('when the user is at userMaxRunning', () => {
    it('should offer the candidate as spare, taken only if no other user\'s job can start', () => {
      expect(policy().mayStart(candidate(null, 'ada'), running(1, {}, { ada: 1 }))).toBe('spare');
      expect(policy().mayStart(candidate('r', 'ada'), running(3, { r: 2 }, { ada: 3 }))).toBe('skip');
    });
  });
});

describe('SchedulingPolicy.toSpec', () => {
  describe('when a job has a room or not', () => {
    it('should put it in its room\'s lane, or its user\'s own lane', () => {
      const base = { id: 'j', correlationId: 'c', user: { userId: 'ada', displayName: 'Ada', avatar: null, role: 'user' as const }, priority: 3, language: 'python3', request: null as never, enqueuedAt: 5 };
      expect(policy().toSpec({ ...base, roomId: 'r' })).toMatchObject({ lane: 'room:r', roomId: 'r', userId: 'ada', keyId: null, priority: 3 });
      expect(policy().toSpec({ ...base, roomId: null })).toMatchObject({ lane: 'user:ada', roomId: null });
    });
  });
});
