/**
 * A pure function of a string, kept per input: a plan repeats the same keys, values and schedules
 * on thousands of resources. The cache is emptied when it holds `limit` entries, so memory stays
 * bounded on any plan; a result is never stale (the function depends on its input only).
 */
export function memoByString<T>(fn: (input: string) => T, limit: number): (input: string) => T {
  const cache = new Map<string, T>();
  return (input) => {
    if (cache.has(input)) return cache.get(input) as T;
    const out = fn(input);
    if (cache.size >= limit) cache.clear();
    cache.set(input, out);
    return out;
  };
}
