// Admission decisions and their Retry-After estimates.
import { describe, expect, it } from 'vitest';
import { QUEUE_ERRORS } from '../../errors/index.js';
import { checkAdmission, retryAfterSeconds, type AdmissionInput } from './admission.js';

const limits = { maxConcurrent: 4, maxQueued: 100, roomMaxRunning: 2, roomMaxQueued: 3, userMaxQueued: 5, userMaxRunning: 2, keyMaxQueued: 8 };

function input(overrides: Partial<AdmissionInput> = {}): AdmissionInput {
  return {
    limits,
    closing: false,
    queued: 0,
    roomId: 'room',
    roomQueued: 0,
    userQueued: 0,
    keyId: null,
    keyQueued: 0,
    userJob: null,
    typicalRunMs: 4000,
    typicalGlobalRunMs: 8000,
    now: 100_000,
    maxRetryAfterSeconds: 300,
    ...overrides,
  };
}

describe('checkAdmission', () => {
  describe('when every cap has room', () => {
    it('should admit', () => {
      expect(checkAdmission(input())).toBeNull();
    });
  });

  describe('when the node is shutting down', () => {
    it('should refuse with 503 before any other check', () => {
      const error = checkAdmission(input({ closing: true, queued: 1000, userJob: { startedAt: null, roomPosition: 1 } }));
      expect(error?.code).toBe(QUEUE_ERRORS.shuttingDown.code);
      expect(error?.statusCode).toBe(503);
    });
  });

  describe('when the user already has a job in the room', () => {
    it('should refuse with 429 and the remaining time of a running job', () => {
      const error = checkAdmission(input({ userJob: { startedAt: 99_000, roomPosition: null } }));
      expect(error?.code).toBe(QUEUE_ERRORS.userBusy.code);
      expect(error?.statusCode).toBe(429);
      expect(error?.retryAfterSeconds).toBe(3);
    });

    it('should count the rounds ahead of a queued job', () => {
      // Third in the room with two running at once: two rounds ahead plus its own run.
      const error = checkAdmission(input({ userJob: { startedAt: null, roomPosition: 3 } }));
      expect(error?.retryAfterSeconds).toBe(12);
    });

    it('should ignore the rule for jobs without a room', () => {
      expect(checkAdmission(input({ roomId: null, userJob: { startedAt: null, roomPosition: null } }))).toBeNull();
    });
  });

  describe('when the room queue is full', () => {
    it('should refuse with 429 and a wait of one run per room slot', () => {
      const error = checkAdmission(input({ roomQueued: 3 }));
      expect(error?.code).toBe(QUEUE_ERRORS.roomQueueFull.code);
      expect(error?.statusCode).toBe(429);
      expect(error?.retryAfterSeconds).toBe(2);
      expect(error?.details).toEqual({ roomId: 'room', limit: 3 });
    });

    it('should not apply room caps to jobs without a room', () => {
      expect(checkAdmission(input({ roomId: null, roomQueued: 99 }))).toBeNull();
    });
  });

  describe('when the user has userMaxQueued jobs queued', () => {
    it('should refuse with 429 and a wait of one run per slot the user may hold', () => {
      // Slots the user may hold: min(userMaxRunning 2, maxConcurrent 4) = 2; 8 s runs → one place frees in about 4 s.
      const error = checkAdmission(input({ roomId: null, userQueued: 5 }));
      expect(error?.code).toBe(QUEUE_ERRORS.userQuota.code);
      expect(error?.statusCode).toBe(429);
      expect(error?.retryAfterSeconds).toBe(4);
      expect(error?.details).toEqual({ limit: 5 });
      expect(error?.message).toContain('limit 5');
    });

    it('should apply in a room too, and admit just below the cap', () => {
      expect(checkAdmission(input({ userQueued: 5 }))?.code).toBe(QUEUE_ERRORS.userQuota.code);
      expect(checkAdmission(input({ userQueued: 4 }))).toBeNull();
    });

    it('should still report the user\'s place in the room first', () => {
      const error = checkAdmission(input({ userQueued: 5, userJob: { startedAt: null, roomPosition: 1 } }));
      expect(error?.code).toBe(QUEUE_ERRORS.userBusy.code);
    });

    it('should come before the node-wide cap, so a greedy user gets their own answer', () => {
      expect(checkAdmission(input({ roomId: null, userQueued: 5, queued: 100 }))?.code).toBe(QUEUE_ERRORS.userQuota.code);
    });
  });

  describe('when the API key has keyMaxQueued jobs queued', () => {
    it('should refuse with 429 and a wait of one run per node slot', () => {
      const error = checkAdmission(input({ roomId: null, keyId: 'key:abc', keyQueued: 8 }));
      expect(error?.code).toBe(QUEUE_ERRORS.keyQuota.code);
      expect(error?.statusCode).toBe(429);
      expect(error?.retryAfterSeconds).toBe(2);
      expect(error?.details).toEqual({ limit: 8 });
      expect(error?.message).not.toContain('key:abc');
    });

    it('should ignore the key count of requests without a key', () => {
      expect(checkAdmission(input({ roomId: null, keyId: null, keyQueued: 99 }))).toBeNull();
      expect(checkAdmission(input({ roomId: null, keyId: 'key:abc', keyQueued: 7 }))).toBeNull();
    });
  });

  describe('when the node queue is full', () => {
    it('should refuse with 503 and a wait of one slot', () => {
      const error = checkAdmission(input({ roomId: null, queued: 100 }));
      expect(error?.code).toBe(QUEUE_ERRORS.globalQueueFull.code);
      expect(error?.statusCode).toBe(503);
      expect(error?.retryAfterSeconds).toBe(2);
    });
  });
});

describe('retryAfterSeconds', () => {
  it('should round up and stay within 1 and the maximum', () => {
    expect(retryAfterSeconds(1, 60)).toBe(1);
    expect(retryAfterSeconds(-5000, 60)).toBe(1);
    expect(retryAfterSeconds(2001, 60)).toBe(3);
    expect(retryAfterSeconds(1e9, 60)).toBe(60);
    expect(retryAfterSeconds(Number.NaN, 60)).toBe(60);
  });
});
