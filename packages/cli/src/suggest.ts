/**
 * "Did you mean …?" for a mistyped option or command: the known name at the smallest edit distance,
 * when it is close enough that the suggestion is more likely right than noise.
 *
 * @module
 */

/** Levenshtein distance (insert, delete, substitute; each costs 1), two rows of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate closest to `typed`, or undefined when none is within a third of its length (at
 * least 2): "acount" → "account", but "frobnicate" suggests nothing rather than a random name.
 * A candidate that starts with what was typed (a truncated name) is always close enough.
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = name.startsWith(lower) && lower.length >= 2 ? 0 : editDistance(lower, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined;
}
