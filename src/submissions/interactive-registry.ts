// Tracks interactive runs between admission and start, so the worker hands the live process to the caller that asked for it.
import type { InteractiveStart } from '../engine/engine.js';
import { isAppError, QUEUE_ERRORS } from '../errors/index.js';

/** What the caller of `startInteractive` holds. */
export interface InteractiveSession {
  id: string;
  /** 1-based queue position at admission, null when it could start at once. */
  position: number | null;
  /** Resolves when the program got a slot and started (or failed to compile); rejects when cancelled or failed before starting. */
  started: Promise<InteractiveStart>;
  /** Cancels while queued, kills while running. */
  stop(): Promise<void>;
}

interface Pending {
  resolve: (start: InteractiveStart) => void;
  reject: (error: Error) => void;
  started: Promise<InteractiveStart>;
  current: InteractiveStart | null;
  /** The owner asked to stop; a program handed over later is killed on arrival. */
  stopped: boolean;
}

export class InteractiveRegistry {
  private readonly pending = new Map<string, Pending>();

  /**
   * Called before the job is enqueued, so a worker that picks it up at once already knows it is interactive.
   * Returns the caller's session right away: a fast run may finish before admission returns.
   */
  prepare(id: string, position: () => number | null, cancel: () => Promise<void>): InteractiveSession {
    let resolve!: (start: InteractiveStart) => void;
    let reject!: (error: Error) => void;
    const started = new Promise<InteractiveStart>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    // The caller may never await it (e.g. it disconnected); the rejection is still observed here.
    started.catch(() => undefined);
    const entry: Pending = { resolve, reject, started, current: null, stopped: false };
    entry.resolve = (start) => {
      entry.current = start;
      // A stop that came between dispatch and hand-over could not cancel (the job was running) and must still take effect.
      if (entry.stopped) start.process?.kill();
      resolve(start);
    };
    this.pending.set(id, entry);
    return {
      id,
      get position() {
        return position();
      },
      started,
      stop: async () => {
        entry.stopped = true;
        if (entry.current) {
          entry.current.process?.kill();
          return;
        }
        try {
          await cancel();
        } catch (error) {
          // Already dispatched but not yet handed over: the kill happens on hand-over (see resolve above).
          if (!isAppError(error) || error.code !== QUEUE_ERRORS.notCancellable.code) throw error;
        }
      },
    };
  }

  /** The worker's side: hands the started process over. */
  get(id: string): { deliver: (start: InteractiveStart) => void } | null {
    const entry = this.pending.get(id);
    return entry ? { deliver: entry.resolve } : null;
  }

  /** Whether the owner stopped the run (then it ends as cancelled, not with a verdict). */
  wasStopped(id: string): boolean {
    return this.pending.get(id)?.stopped ?? false;
  }

  release(id: string): void {
    this.pending.delete(id);
  }

  /** Ends a run that will never start (cancelled, failed, rejected at admission). */
  fail(id: string, reason: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    if (!entry.current) entry.reject(new Error(reason));
    this.pending.delete(id);
  }
}
