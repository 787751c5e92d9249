// How a node identifies itself in the store and how its liveness is judged, for crash recovery scoped to dead nodes.

/** Node identity and liveness settings of a SubmissionService. */
export interface NodeOptions {
  /**
   * This node's id in the store's `nodes` table. A node started again under the same id takes over what its earlier
   * life left, at once: the embedded single-process node uses a fixed id for that reason.
   * @defaultValue a random UUID (a new node each start)
   */
  id?: string;
  /**
   * How often the node says it is alive.
   * @defaultValue 5000
   */
  heartbeatIntervalMs?: number;
  /**
   * A node whose last heartbeat is older than this is taken as dead, and its queued and running work is claimed by
   * the next node that starts. Keep it several heartbeat intervals long.
   * @defaultValue 30000
   */
  staleAfterMs?: number;
}

/** How many times a submission may be started before an interruption fails it ("interrupted twice"). */
export const MAX_ATTEMPTS = 2;

/** The fixed node id of the embedded default (one process owns the SQLite file). */
export const EMBEDDED_NODE_ID = 'embedded';

export function resolveNodeOptions(options: NodeOptions, randomId: () => string): Required<NodeOptions> {
  return { id: options.id ?? randomId(), heartbeatIntervalMs: options.heartbeatIntervalMs ?? 5_000, staleAfterMs: options.staleAfterMs ?? 30_000 };
}
