// The idle timer: restarted by activity, fires once, never after stop.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from './idle-timer.js';

describe('IdleTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('should fire once the time passes without activity', () => {
    const onIdle = vi.fn();
    const timer = new IdleTimer(1_000, onIdle);
    vi.advanceTimersByTime(999);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledOnce();
    expect(timer.fired).toBe(true);
  });

  it('should start the time again on every touch', () => {
    const onIdle = vi.fn();
    const timer = new IdleTimer(1_000, onIdle);
    for (let step = 0; step < 5; step++) {
      vi.advanceTimersByTime(800);
      timer.touch();
    }
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(onIdle).toHaveBeenCalledOnce();
  });

  it('should never fire after stop, even when touched again', () => {
    const onIdle = vi.fn();
    const timer = new IdleTimer(1_000, onIdle);
    timer.stop();
    timer.touch();
    vi.advanceTimersByTime(5_000);
    expect(onIdle).not.toHaveBeenCalled();
    expect(timer.fired).toBe(false);
  });
});
