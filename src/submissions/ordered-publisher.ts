// Serialises persistence-then-publish steps so subscribers see events in the order the queue produced them.

export class OrderedPublisher<Event> {
  private tail: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(event: Event) => void>();

  constructor(private readonly onError: (error: unknown, event: Event) => void) {}

  subscribe(listener: (event: Event) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `persist` (if any) after every earlier step, then hands the event to every listener. */
  publish(event: Event, persist: () => Promise<void> = async () => undefined): void {
    this.tail = this.tail.then(async () => {
      try {
        await persist();
      } catch (error) {
        this.onError(error, event);
      }
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.onError(error, event);
        }
      }
    });
  }

  /** Resolves once every step published so far has run. */
  drain(): Promise<void> {
    return this.tail;
  }
}
