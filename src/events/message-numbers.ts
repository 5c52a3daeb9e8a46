/**
 * Replayed and stale notifications. Google numbers a channel's messages in increasing order, but they are
 * not consecutive and may arrive out of order ("Notifications may not be delivered in the order in which
 * events occur", Reports push guide), and a retried notification keeps its number. So a channel keeps
 * the last `window` numbers it accepted: a number among them is a replay; a number below all of them
 * once the window is full is stale; anything else is accepted, even if lower than the highest seen.
 */
export const messageNumberWindow = 64;

export type MessageNumberVerdict =
  | { accept: true; seen: number[] }
  | { accept: false; reason: "replayed" | "stale" };

/** Judges `number` against the numbers a channel has seen (highest first) and returns the new window. */
export function judgeMessageNumber(
  seen: readonly number[],
  number: number,
  window = messageNumberWindow,
): MessageNumberVerdict {
  if (seen.includes(number)) return { accept: false, reason: "replayed" };
  const lowest = seen.length > 0 ? Math.min(...seen) : undefined;
  if (seen.length >= window && lowest !== undefined && number < lowest)
    return { accept: false, reason: "stale" };
  const next = [...seen, number].sort((a, b) => b - a).slice(0, window);
  return { accept: true, seen: next };
}
