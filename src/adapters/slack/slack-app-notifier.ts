/**
 * The `Notifier` of Slack app mode: `chat.postMessage` with a bot token, one thread per alert. A drift
 * alert is the parent of the reminders and the "resolved" of its changes; the first failure (or guard
 * stop) of a failing streak is the parent of the next failures and of the recovery. The parents are kept
 * in the run state (`slackThreads`): the notifier is told them and answers them updated. It never
 * throws: a message that cannot be posted resolves `{ delivered: false }` with Slack's reason.
 */
import { slackAppMessageFor } from "../../notify/slack-app-message.js";
import type { DriftItem, Notice } from "../../sync/notices.js";
import type { Delivery, Notifier, NotifyContext } from "../../sync/ports.js";
import type { SlackThread } from "../../sync/run-state.js";
import { describeSlackError, SlackWebApi, type SlackWebApiOptions } from "./slack-web-api.js";

export interface SlackAppNotifierOptions extends SlackWebApiOptions {
  /** The channel alerts go to: its id (C...) or name. */
  channel: string;
  /** Offer Approve / Reject on a stopped plan (approvers are configured in the rules). */
  approvals: boolean;
}

/** Thread keys in the run state. */
export const threadKeys = {
  drift: (changeKey: string) => `drift:${changeKey}`,
  failure: "failure",
  approval: (digest: string) => `approval:${digest}`,
} as const;

export class SlackAppNotifier implements Notifier {
  private readonly api: SlackWebApi;
  private readonly channel: string;
  private readonly approvals: boolean;
  private readonly now: () => Date;

  constructor(options: SlackAppNotifierOptions, api?: SlackWebApi) {
    this.api = api ?? new SlackWebApi(options);
    this.channel = options.channel;
    this.approvals = options.approvals;
    this.now = () => new Date(options.now ? options.now() : Date.now());
  }

  async notify(notice: Notice, context?: NotifyContext): Promise<Delivery> {
    const threads: Record<string, SlackThread> = { ...(context?.threads ?? {}) };
    try {
      await this.post(notice, threads);
      return { delivered: true, threads };
    } catch (error) {
      return { delivered: false, error: describeSlackError(error) };
    }
  }

  private async post(notice: Notice, threads: Record<string, SlackThread>): Promise<void> {
    switch (notice.kind) {
      case "drift": {
        const parent = await this.postMessage(notice, undefined);
        // Only what is still there can be reminded about or resolved later.
        for (const item of notice.items)
          if (item.status === "open") threads[threadKeys.drift(item.key)] = parent;
        return;
      }
      case "driftReminder":
      case "driftResolved": {
        // One reply per alert the items were first told in; items told in no known alert go top level.
        const byParent = new Map<string, { parent: SlackThread | undefined; items: DriftItem[] }>();
        for (const item of notice.items) {
          const parent = threads[threadKeys.drift(item.key)];
          const id = parent ? `${parent.channel}|${parent.ts}` : "";
          const entry = byParent.get(id) ?? { parent, items: [] };
          entry.items.push(item);
          byParent.set(id, entry);
        }
        for (const { parent, items } of byParent.values()) {
          const part = { ...notice, items } as Notice;
          const posted = await this.postMessage(part, parent);
          for (const item of items) {
            if (notice.kind === "driftResolved") delete threads[threadKeys.drift(item.key)];
            else if (!parent) threads[threadKeys.drift(item.key)] = posted;
          }
        }
        return;
      }
      case "failure":
      case "blocked": {
        const approvalKey =
          notice.kind === "blocked" && notice.approval
            ? threadKeys.approval(notice.approval.digest)
            : undefined;
        // A plan stopped again with the same removals answers under its first stop; new removals are a new
        // request at the top, so the buttons are where people look.
        const parent = approvalKey
          ? threads[approvalKey]
          : notice.kind === "blocked"
            ? undefined
            : threads[threadKeys.failure];
        const posted = await this.postMessage(notice, parent);
        if (approvalKey && !parent) {
          for (const key of Object.keys(threads)) if (key.startsWith("approval:")) delete threads[key];
          threads[approvalKey] = posted;
        }
        threads[threadKeys.failure] ??= parent ?? posted;
        return;
      }
      case "recovered": {
        const parent = threads[threadKeys.failure];
        await this.postMessage(notice, parent);
        delete threads[threadKeys.failure];
        for (const key of Object.keys(threads)) if (key.startsWith("approval:")) delete threads[key];
        return;
      }
      default:
        await this.postMessage(notice, undefined);
    }
  }

  private async postMessage(notice: Notice, parent: SlackThread | undefined): Promise<SlackThread> {
    const message = slackAppMessageFor(notice, { approvals: this.approvals });
    const answer = await this.api.call("chat.postMessage", {
      channel: parent?.channel ?? this.channel,
      text: message.text,
      blocks: message.blocks,
      ...(parent ? { thread_ts: parent.ts } : {}),
      unfurl_links: false,
    });
    return {
      channel: String(answer.channel ?? parent?.channel ?? this.channel),
      ts: String(answer.ts),
      at: this.now().toISOString(),
    };
  }
}
