// Options of the PostgreSQL store.
export interface PostgresStoreOptions {
  /**
   * Schema holding the store's tables (created if missing) and the connection's only search_path entry, so several
   * stores (test runs, deployments) can share one database. A `?schema=` in the URL takes precedence.
   * @defaultValue `public`
   */
  schema?: string;
  /**
   * Most connections the pool opens. A `?poolSize=` in the URL takes precedence.
   * @defaultValue 10
   */
  poolSize?: number;
  /**
   * How long opening a connection may take before the call fails with RUNLANE_ERR_STORE_UNAVAILABLE, in ms.
   * @defaultValue 10000
   */
  connectTimeoutMs?: number;
  /**
   * Clock for room `updatedAt` stamps.
   * @defaultValue `() => new Date()`
   */
  now?: () => Date;
}
