// WorkerRegistry: the live workers of a queue (who runs which languages with how many slots), kept alive by heartbeats.

/** What a worker says about itself each heartbeat. */
export interface WorkerAnnouncement {
  /** Unique per process start. */
  id: string;
  /** The machine's host name, for operators. */
  host: string;
  pid: number;
  /** Language ids this worker claims: those it was asked to serve that are also installed where it runs. */
  languages: readonly string[];
  /** Executions it runs at once. */
  slots: number;
  /** Executions it is running now. */
  running: number;
  /** Epoch ms when it started taking jobs. */
  startedAt: number;
}

/** A live worker as the registry lists it. */
export interface WorkerInfo extends WorkerAnnouncement {
  /** Epoch ms of its last heartbeat, on the registry's clock (Redis's own in a cluster). */
  lastHeartbeat: number;
}

/**
 * Who is alive to run jobs. A worker renews its entry every few seconds with a time to live; an entry not renewed in
 * time is gone (a SIGKILLed worker disappears by itself), and a worker that stops gracefully removes its own. Lists and
 * the served languages count only live entries. The memory registry (`memory/`) holds the embedded node alone; the
 * Redis one (`redis/`) is shared by every node of a cluster, and the Redis queue's admission reads the same entries.
 */
export interface WorkerRegistry {
  /** Registers or renews `worker`; it counts as live for `ttlMs` from now unless renewed again. */
  heartbeat(worker: WorkerAnnouncement, ttlMs: number): Promise<void>;
  /** Removes a worker at once (graceful shutdown); unknown ids are ignored. */
  deregister(id: string): Promise<void>;
  /** Live workers, by id. */
  list(): Promise<WorkerInfo[]>;
  /** Languages at least one live worker serves. */
  servedLanguages(): Promise<Set<string>>;
  /** Resolves when the registry's storage answers; rejects otherwise (readiness). */
  ping(): Promise<void>;
  /** Releases connections; the entries stay until they expire or are deregistered. */
  close(): Promise<void>;
}
