import { distance } from "fastest-levenshtein";

/**
 * The closest known name to a mistyped one, or undefined when nothing is close enough to be a
 * plausible typo. A case-only difference always wins.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    if (candidate.toLowerCase() === lower) return candidate;
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(name.length / 3));
  return best !== undefined && bestDistance <= tolerance && bestDistance < name.length ? best : undefined;
}

/** `"; did you mean 'developers'?"`, or "" when there is no good guess. */
export function didYouMean(name: string, known: Iterable<string>): string {
  const guess = closestName(name, known);
  return guess === undefined ? "" : `; did you mean '${guess}'?`;
}
