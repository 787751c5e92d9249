// Fan-out of queue events to subscribers; a failing listener is reported and never breaks the queue.
import type { QueueEvent } from './job-queue.js';

/** Called with whatever a listener threw (or the reason its returned promise rejected). */
export type ListenerErrorHandler = (error: unknown, event: QueueEvent) => void;

/** The subscribers of one queue. */
export class QueueListeners {
  readonly #listeners = new Set<(event: QueueEvent) => void>();

  constructor(private readonly onError: ListenerErrorHandler) {}

  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; the returned function removes it (calling it twice is harmless). */
  subscribe(listener: (event: QueueEvent) => void): () => void {
    // Wrapping makes each subscription distinct, so subscribing one function twice gives two independent handles.
    const wrapped = (event: QueueEvent): void => listener(event);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  /** Delivers an event to every current listener, in subscription order. */
  emit(event: QueueEvent): void {
    if (this.#listeners.size === 0) return;
    // A copy, so a listener that subscribes during delivery does not receive the event that made it subscribe.
    for (const listener of [...this.#listeners]) {
      try {
        const returned: unknown = (listener as (event: QueueEvent) => unknown)(event);
        if (isThenable(returned)) returned.then(undefined, (error: unknown) => this.#report(error, event));
      } catch (error) {
        this.#report(error, event);
      }
    }
  }

  #report(error: unknown, event: QueueEvent): void {
    try {
      this.onError(error, event);
    } catch {
      // The error reporter itself failed; there is nowhere left to report to, and the queue must go on.
      return;
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
