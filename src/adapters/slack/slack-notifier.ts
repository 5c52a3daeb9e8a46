/**
 * The `Notifier` over a Slack incoming webhook (`@slack/webhook`). It renders the notice with the pure
 * `slackMessageFor`, posts it, and retries a timeout, a connection error, a 429 or a 5xx a few times
 * with backoff. It never throws: after the last try it resolves `{ delivered: false }`, because a Slack
 * outage must not fail or hold up a sync.
 */
import { IncomingWebhook, IncomingWebhookHTTPError } from "@slack/webhook";
import { slackMessageFor } from "../../notify/slack-message.js";
import type { Notice } from "../../sync/notices.js";
import type { Notifier } from "../../sync/ports.js";

export type Sleep = (ms: number) => Promise<void>;

export interface SlackNotifierOptions {
  webhookUrl: string;
  /** Tries per message, the first included. Default 3. */
  attempts?: number;
  /** One try gives up after this long. Default 5,000 ms. */
  timeoutMs?: number;
  /** Wait before the second try; doubled for each next one. Default 1,000 ms. */
  backoffMs?: number;
  /** Injected so tests do not wait. */
  sleep?: Sleep;
}

export const slackNotifierDefaults = { attempts: 3, timeoutMs: 5_000, backoffMs: 1_000 } as const;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class SlackNotifier implements Notifier {
  private readonly webhook: IncomingWebhook;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly sleep: Sleep;

  constructor(options: SlackNotifierOptions) {
    this.attempts = Math.max(1, options.attempts ?? slackNotifierDefaults.attempts);
    this.backoffMs = options.backoffMs ?? slackNotifierDefaults.backoffMs;
    this.sleep = options.sleep ?? realSleep;
    // The library's own retry waits with real timers; ours takes an injected sleep.
    this.webhook = new IncomingWebhook(options.webhookUrl, {
      timeout: options.timeoutMs ?? slackNotifierDefaults.timeoutMs,
      retryConfig: { retries: 0 },
    });
  }

  async notify(notice: Notice): Promise<{ delivered: true } | { delivered: false; error: string }> {
    const message = slackMessageFor(notice);
    let lastError = "not sent";
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      try {
        await this.webhook.send({ text: message.text, blocks: message.blocks });
        return { delivered: true };
      } catch (error) {
        lastError = describe(error);
        if (!isRetryable(error) || attempt === this.attempts) break;
        await this.sleep(this.backoffMs * 2 ** (attempt - 1));
      }
    }
    return { delivered: false, error: lastError };
  }
}

/** A 4xx other than 429 (a revoked webhook, a malformed message) fails the same way every time. */
function isRetryable(error: unknown): boolean {
  if (error instanceof IncomingWebhookHTTPError) return error.statusCode === 429 || error.statusCode >= 500;
  return true;
}

function describe(error: unknown): string {
  if (error instanceof IncomingWebhookHTTPError) {
    return `Slack answered ${error.statusCode} ${error.statusMessage}${error.body ? `: ${error.body.slice(0, 200)}` : ""}`;
  }
  const original = (error as { original?: Error }).original;
  const cause = original ?? (error as Error);
  return `Slack could not be reached: ${cause?.name === "TimeoutError" ? "timed out" : (cause?.message ?? String(error))}`;
}
