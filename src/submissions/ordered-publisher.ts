// Hands submission events to subscribers one after another, in the order they were published, isolating faulty listeners.

export class OrderedPublisher<Event> {
  private tail: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(event: Event) => void>();

  constructor(private readonly onError: (error: unknown, event: Event) => void) {}

  subscribe(listener: (event: Event) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Delivers the event to every listener after every earlier one. Callers publish only what is already written,
   * so a listener that reads the store sees at least what the event says.
   */
  publish(event: Event): void {
    this.tail = this.tail.then(() => {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.onError(error, event);
        }
      }
    });
  }

  /** Resolves once every event published so far has been delivered. */
  drain(): Promise<void> {
    return this.tail;
  }
}
