// Tunables of collaborative rooms and interactive streams, with their defaults.

/** Per-connection flood protection: a token bucket refilled continuously. */
export interface RateLimitOptions {
  /**
   * Events a connection may send in a burst.
   * @defaultValue 120
   */
  burst: number;
  /**
   * Events per second the bucket refills; the sustained rate a connection may keep up (a Yjs editor sends an update and an
   * awareness change per keystroke).
   * @defaultValue 60
   */
  perSecond: number;
}

export interface RealtimeOptions {
  rateLimit: RateLimitOptions;
  /**
   * Largest Yjs sync or awareness message, bytes.
   * @defaultValue 1 MiB
   */
  maxDocumentMessageBytes: number;
  /**
   * Largest stdin chunk of an interactive run, bytes.
   * @defaultValue 64 KiB
   */
  maxStdinChunkBytes: number;
  /**
   * Quiet time after the last document change before the room's document is written to the store, ms.
   * @defaultValue 500
   */
  persistDebounceMs: number;
  /**
   * Longest a changed document stays unwritten while edits keep coming, ms.
   * @defaultValue 5000
   */
  persistMaxDelayMs: number;
  /**
   * Shortest interval between two `code-update` events caused by Yjs edits in one room, ms.
   * Keeps clients that do not speak Yjs current without sending the whole text on every keystroke.
   * @defaultValue 150
   */
  codeUpdateIntervalMs: number;
  /**
   * Rooms one connection may be in at once; each joined room keeps its document in memory.
   * @defaultValue 10
   */
  maxRoomsPerConnection: number;
  /**
   * Most entries an `execution-history` request may ask for.
   * @defaultValue 100
   */
  maxHistory: number;
}

export const DEFAULT_REALTIME_OPTIONS: Readonly<RealtimeOptions> = Object.freeze({
  rateLimit: Object.freeze({ burst: 120, perSecond: 60 }),
  maxDocumentMessageBytes: 1024 * 1024,
  maxStdinChunkBytes: 64 * 1024,
  persistDebounceMs: 500,
  persistMaxDelayMs: 5_000,
  codeUpdateIntervalMs: 150,
  maxRoomsPerConnection: 10,
  maxHistory: 100,
});

/** Layers partial options over the defaults. */
export function resolveRealtimeOptions(overrides: Partial<Omit<RealtimeOptions, 'rateLimit'>> & { rateLimit?: Partial<RateLimitOptions> } = {}): RealtimeOptions {
  return Object.freeze({
    ...DEFAULT_REALTIME_OPTIONS,
    ...overrides,
    rateLimit: Object.freeze({ ...DEFAULT_REALTIME_OPTIONS.rateLimit, ...overrides.rateLimit }),
  });
}
