// Options of the SQLite store.
export interface SqliteStoreOptions {
  /**
   * How long a statement waits for another connection's write lock before failing with RUNLANE_ERR_STORE_UNAVAILABLE, in ms.
   * @defaultValue 5000
   */
  busyTimeoutMs?: number;
  /**
   * Clock for room `updatedAt` stamps.
   * @defaultValue `() => new Date()`
   */
  now?: () => Date;
}
