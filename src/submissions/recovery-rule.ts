// Which recovery rule a node follows: the single node's start-up takeover, or the shared queue's leases.

/**
 * - `orphans`: the queue lives in this process, so what the store says a stopped node held is all there is to recover:
 *   at start-up the node claims those rows (`Store.claimOrphans`) and queues them again (the embedded default).
 * - `leases`: the queue is shared and durable (Redis). Other nodes may be running the rows the store shows as running,
 *   so start-up touches nothing; a dead worker's job comes back through its expired lease, and the worker that claims
 *   it again takes the row over, until `scheduler.maxAttempts` claims have been spent.
 */
export type RecoveryRule = 'orphans' | 'leases';

/** The rule that fits a queue: a durable (shared) queue recovers through its leases. */
export function recoveryRuleFor(queue: { readonly durable: boolean }): RecoveryRule {
  return queue.durable ? 'leases' : 'orphans';
}
