// Runs async work over items with at most N in flight: how test cases run in parallel batches.

/**
 * Calls `work` for every item, keeping at most `concurrency` calls running; a finished call immediately frees its slot
 * (a sliding window, so one slow case never holds up the next batch). Results keep the items' order.
 * Rejects with the first failure after the calls already started have settled.
 */
export async function mapConcurrent<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
