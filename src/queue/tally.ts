// Counts per key (room, user, API key) that forget a key at zero, so idle rooms and users hold no memory.

/** Adds `delta` to the count of `key`, deleting the entry when it drops to zero. */
export function tally(counts: Map<string, number>, key: string, delta: 1 | -1): void {
  const count = (counts.get(key) ?? 0) + delta;
  if (count <= 0) counts.delete(key);
  else counts.set(key, count);
}
