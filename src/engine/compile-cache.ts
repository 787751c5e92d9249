// Content-addressed compile cache: bounded in bytes (least recently used goes first), with in-flight sharing.

export interface CompileCacheOptions<T> {
  /** Total size the cache may hold, bytes; a single value larger than this is never stored. */
  maxBytes: number;
  /** Size of a value in bytes (artifacts plus compiler output). */
  sizeOf: (value: T) => number;
  /** Called for a value that leaves the cache (evicted, replaced, cleared, or never stored because it is too large), to free what it holds on disk. */
  onDrop?: (value: T) => void;
}

/** What a computation hands back: the value, and whether it is deterministic enough to keep. */
export interface Computed<T> {
  value: T;
  cacheable: boolean;
}

export interface CacheLookup<T> {
  value: T;
  /** True when this caller did not compute it: a stored value, or one another caller was already computing. */
  cached: boolean;
}

export interface CompileCacheStats {
  entries: number;
  bytes: number;
  /** Lookups answered from a stored value. */
  hits: number;
  /** Lookups that joined a computation already in flight. */
  joins: number;
  /** Lookups that had to compute. */
  misses: number;
  evictions: number;
}

/**
 * Keys are content hashes (see compile-key.ts), so a hit is always correct to reuse. A Map keeps insertion order,
 * which doubles as recency order: a hit re-inserts its key, eviction takes the first keys.
 */
export class CompileCache<T> {
  private readonly entries = new Map<string, { value: T; size: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();
  private bytes = 0;
  private readonly counters = { hits: 0, joins: 0, misses: 0, evictions: 0 };

  constructor(private readonly options: CompileCacheOptions<T>) {}

  /** The stored value for `key`, the in-flight computation for it, or a new computation whose result is stored when cacheable. */
  async getOrCompute(key: string, compute: () => Promise<Computed<T>>): Promise<CacheLookup<T>> {
    const entry = this.entries.get(key);
    if (entry) {
      this.counters.hits++;
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { value: entry.value, cached: true };
    }
    const running = this.inFlight.get(key);
    if (running) {
      this.counters.joins++;
      return { value: await running, cached: true };
    }
    this.counters.misses++;
    const promise = compute().then((computed) => {
      if (computed.cacheable) this.store(key, computed.value);
      return computed.value;
    });
    this.inFlight.set(key, promise);
    try {
      return { value: await promise, cached: false };
    } finally {
      this.inFlight.delete(key);
    }
  }

  stats(): CompileCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, ...this.counters };
  }

  /** Drops every stored value (in-flight computations finish and are stored as usual). */
  clear(): void {
    for (const entry of this.entries.values()) this.options.onDrop?.(entry.value);
    this.entries.clear();
    this.bytes = 0;
  }

  private store(key: string, value: T): void {
    const size = this.options.sizeOf(value);
    if (size > this.options.maxBytes) {
      this.options.onDrop?.(value);
      return;
    }
    const previous = this.entries.get(key);
    if (previous) {
      this.bytes -= previous.size;
      this.entries.delete(key);
      if (previous.value !== value) this.options.onDrop?.(previous.value);
    }
    for (const [oldKey, old] of this.entries) {
      if (this.bytes + size <= this.options.maxBytes) break;
      this.entries.delete(oldKey);
      this.bytes -= old.size;
      this.counters.evictions++;
      this.options.onDrop?.(old.value);
    }
    this.entries.set(key, { value, size });
    this.bytes += size;
  }
}
