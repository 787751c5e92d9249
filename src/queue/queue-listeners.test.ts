// Listener fan-out: delivery order, unsubscribe, and failures reported rather than thrown.
import { describe, expect, it } from 'vitest';
import type { QueueEvent } from './job-queue.js';
import { QueueListeners } from './queue-listeners.js';

const event: QueueEvent = { type: 'positions', changes: [] };

describe('QueueListeners', () => {
  describe('when listeners are subscribed', () => {
    it('should deliver to each in order and stop after unsubscribe', () => {
      const listeners = new QueueListeners(() => undefined);
      const seen: string[] = [];
      const stopFirst = listeners.subscribe(() => seen.push('first'));
      listeners.subscribe(() => seen.push('second'));
      listeners.emit(event);
      stopFirst();
      stopFirst();
      listeners.emit(event);
      expect(seen).toEqual(['first', 'second', 'second']);
    });

    it('should keep two subscriptions of one function apart', () => {
      const listeners = new QueueListeners(() => undefined);
      let calls = 0;
      const listener = (): void => {
        calls += 1;
      };
      const stop = listeners.subscribe(listener);
      listeners.subscribe(listener);
      stop();
      listeners.emit(event);
      expect(calls).toBe(1);
    });
  });

  describe('when a listener fails', () => {
    it('should report a thrown error and still reach the next listener', () => {
      const reported: unknown[] = [];
      const listeners = new QueueListeners((error) => reported.push(error));
      let reached = false;
      listeners.subscribe(() => {
        throw new Error('sync');
      });
      listeners.subscribe(() => {
        reached = true;
      });
      listeners.emit(event);
      expect(reached).toBe(true);
      expect(reported).toEqual([new Error('sync')]);
    });

    it('should report a rejected promise returned by a listener', async () => {
      const reported: unknown[] = [];
      const listeners = new QueueListeners((error) => reported.push(error));
      listeners.subscribe((async () => {
        throw new Error('async');
      }) as () => void);
      listeners.emit(event);
      await new Promise((resolve) => setImmediate(resolve));
      expect(reported).toEqual([new Error('async')]);
    });

    it('should survive a reporter that throws too', () => {
      const listeners = new QueueListeners(() => {
        throw new Error('reporter');
      });
      listeners.subscribe(() => {
        throw new Error('listener');
      });
      expect(() => listeners.emit(event)).not.toThrow();
    });
  });
});
