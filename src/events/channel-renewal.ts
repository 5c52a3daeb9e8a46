/**
 * Keeping the watch channels open. Google's channels do not renew themselves: "Before a channel expires,
 * call watch again with a new id" (push guides), and the old and new channels overlap until the old one
 * is stopped. A scheduled function calls `renewChannels`: it opens a channel for every watch that has no
 * channel with more than `renewBeforeMs` left, then stops the channels the new ones replace, the ones of
 * watches no longer wanted or of another address, and forgets the expired ones.
 *
 * Lifetimes: Directory channels default to 2 hours and last at most 2 days (SubscriptionChannel:
 * "the default is 2 hours and the maximum TTL is 2 days"); Reports channels at most 21,600 s (Reports
 * push guide). The function asks for the maximum and trusts the `expiration` Google answers.
 */
import { channelToken } from "./channel-token.js";
import type { ChannelApi } from "./google-notification.js";
import type {
  ChannelRecord,
  ChannelStore,
  EventLogger,
  StoredChannel,
  WatchApi,
  WatchTarget,
} from "./ports.js";
import { watchKey } from "./ports.js";

export const maxTtlSeconds: Record<ChannelApi, number> = { directory: 2 * 24 * 60 * 60, reports: 21_600 };

/** The watches idc-sync opens: every Directory user event, and the two Reports applications. */
export const defaultWatchTargets: readonly WatchTarget[] = [
  { api: "directory", event: "add" },
  { api: "directory", event: "delete" },
  { api: "directory", event: "update" },
  { api: "directory", event: "undelete" },
  { api: "directory", event: "makeAdmin" },
  { api: "reports", application: "admin" },
  { api: "reports", application: "groups_enterprise" },
];

export interface RenewalSettings {
  /** The receiver's public HTTPS address (the custom domain when there is one). */
  address: string;
  targets: readonly WatchTarget[];
  /** Renew a channel with less than this left. Default 90 minutes (the renewer runs every 30). */
  renewBeforeMs?: number;
}

export interface RenewalPlan {
  open: WatchTarget[];
  /** Channels to stop once the new ones are open (replaced, unwanted, or at another address). */
  stop: ChannelRecord[];
  /** Channels past their expiration: Google delivers no more, only the record goes. */
  forget: ChannelRecord[];
}

export const defaultRenewBeforeMs = 90 * 60 * 1000;

/** What to open, stop and forget now. Pure: the channels and the time are parameters. */
export function planRenewal(
  channels: readonly ChannelRecord[],
  settings: RenewalSettings,
  now: number,
): RenewalPlan {
  const renewBefore = settings.renewBeforeMs ?? defaultRenewBeforeMs;
  const wanted = new Map(settings.targets.map((target) => [watchKey(target), target]));
  const plan: RenewalPlan = { open: [], stop: [], forget: [] };
  const live = channels.filter((channel) => channel.expiration > now);
  plan.forget.push(...channels.filter((channel) => channel.expiration <= now));
  for (const channel of live) {
    if (!wanted.has(channel.watch) || channel.address !== settings.address) plan.stop.push(channel);
  }
  for (const [key, target] of wanted) {
    const serving = live
      .filter((channel) => channel.watch === key && channel.address === settings.address)
      .sort((a, b) => b.expiration - a.expiration);
    const fresh = serving.find((channel) => channel.expiration - now > renewBefore);
    if (!fresh) {
      plan.open.push(target);
      // Every channel of this watch is replaced by the one about to open.
      plan.stop.push(...serving);
    } else {
      plan.stop.push(...serving.filter((channel) => channel !== fresh));
    }
  }
  return plan;
}

export interface RenewalDependencies {
  channels: ChannelStore;
  watch: WatchApi;
  channelSecret: () => Promise<string>;
  logger: EventLogger;
  now: () => number;
  newChannelId: () => string;
}

export interface RenewalReport {
  opened: string[];
  stopped: string[];
  forgotten: string[];
  /** Watches that could not be opened, and channels that could not be stopped, with why. */
  failures: { watch: string; error: string }[];
}

/**
 * Opens, then stops, then forgets. A replaced channel is stopped only when its watch's new channel is
 * open, so a failed watch call leaves the old channel delivering until it expires.
 */
export async function renewChannels(
  settings: RenewalSettings,
  deps: RenewalDependencies,
): Promise<RenewalReport> {
  const stored = await deps.channels.list();
  const records = stored.map((entry: StoredChannel) => entry.record);
  const plan = planRenewal(records, settings, deps.now());
  const secret = await deps.channelSecret();
  const report: RenewalReport = { opened: [], stopped: [], forgotten: [], failures: [] };
  const failedWatches = new Set<string>();

  for (const target of plan.open) {
    const key = watchKey(target);
    const id = deps.newChannelId();
    try {
      const opened = await deps.watch.watch(target, {
        id,
        address: settings.address,
        token: channelToken(secret, id),
        ttlSeconds: maxTtlSeconds[target.api],
      });
      await deps.channels.create({
        id: opened.id,
        api: target.api,
        watch: key,
        resourceId: opened.resourceId,
        expiration: opened.expiration,
        openedAt: deps.now(),
        address: settings.address,
        seen: [],
      });
      report.opened.push(opened.id);
      deps.logger.info("watch channel opened", {
        watch: key,
        channelId: opened.id,
        expiration: new Date(opened.expiration).toISOString(),
      });
    } catch (error) {
      failedWatches.add(key);
      report.failures.push({ watch: key, error: (error as Error).message });
      deps.logger.error("watch channel not opened", { watch: key, error: (error as Error).message });
    }
  }

  for (const channel of plan.stop) {
    // Keep the old channel of a watch whose new one failed: it still delivers until it expires.
    if (failedWatches.has(channel.watch) && channel.address === settings.address) continue;
    try {
      await deps.watch.stop(channel.api, { id: channel.id, resourceId: channel.resourceId });
      await deps.channels.delete(channel.id);
      report.stopped.push(channel.id);
      deps.logger.info("watch channel stopped", { watch: channel.watch, channelId: channel.id });
    } catch (error) {
      report.failures.push({
        watch: channel.watch,
        error: `stop ${channel.id}: ${(error as Error).message}`,
      });
      deps.logger.warn("watch channel not stopped; it expires by itself", {
        channelId: channel.id,
        error: (error as Error).message,
      });
    }
  }
  for (const channel of plan.forget) {
    await deps.channels.delete(channel.id);
    report.forgotten.push(channel.id);
  }
  return report;
}
