/**
 * Summarises the CloudTrail events of one access key: how many, which services and calls, from which
 * addresses and programs, first and last seen. Pure: the adapter fetches, this counts.
 */
import type { CountedName, KeyActivity, KeyEvent } from "./model.js";
import { classifyUserAgent } from "./user-agent.js";

/** How many entries the "top" lists keep. */
export const topCount = 5;

export function summarizeKeyActivity(
  accessKeyId: string,
  regions: string[],
  events: readonly KeyEvent[],
  options: { truncated?: boolean } = {},
): KeyActivity {
  const sources = new Map<string, number>();
  const names = new Map<string, number>();
  const ips = new Map<string, number>();
  const agents = new Map<string, number>();
  let firstSeen: Date | undefined;
  let lastSeen: Date | undefined;
  for (const event of events) {
    bump(sources, event.eventSource);
    bump(names, event.eventName);
    if (event.sourceIp) bump(ips, event.sourceIp);
    bump(agents, event.userAgent ?? "");
    if (!firstSeen || event.at < firstSeen) firstSeen = event.at;
    if (!lastSeen || event.at > lastSeen) lastSeen = event.at;
  }
  return {
    accessKeyId,
    regions: [...regions].sort(),
    eventCount: events.length,
    truncated: options.truncated ?? false,
    topEventSources: top(sources),
    topEventNames: top(names),
    sourceIps: top(ips),
    userAgents: top(agents).map((entry) => ({
      ...entry,
      name: entry.name === "" ? "(none)" : entry.name,
      kind: classifyUserAgent(entry.name || undefined).kind,
    })),
    ...(firstSeen ? { firstSeen } : {}),
    ...(lastSeen ? { lastSeen } : {}),
  };
}

/** The activity of a key whose lookup failed: unknown, which is never the same as none. */
export function failedKeyActivity(accessKeyId: string, regions: string[], error: string): KeyActivity {
  return {
    ...summarizeKeyActivity(accessKeyId, regions, []),
    error,
  };
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Most frequent first; ties by name so the report does not depend on event order. */
function top(counts: Map<string, number>): CountedName[] {
  return [...counts]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, topCount);
}
