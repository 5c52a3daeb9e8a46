/**
 * The `Notifier` over a Slack incoming webhook (`@slack/webhook`). It renders the notice with the pure
 * `slackMessageFor`, posts it, and retries a timeout, a connection error, a 429 or a 5xx a few times
 * under the shared retry policy, waiting as long as Slack's `Retry-After` asks when that fits. It never
 * throws: after the last try it resolves `{ delivered: false }`, because a Slack outage must not fail or
 * hold up a sync. Every try has one deadline for the whole exchange, body included (`fetchWithDeadline`).
 */
import { IncomingWebhook, IncomingWebhookHTTPError } from "@slack/webhook";
import { slackMessageFor } from "../../notify/slack-message.js";
import type { Notice } from "../../sync/notices.js";
import type { Notifier } from "../../sync/ports.js";
import { fetchWithDeadline } from "../http-deadline.js";
import { parseRetryAfter, realSleep, retrying, type Sleep } from "../retry.js";

export interface SlackNotifierOptions {
  webhookUrl: string;
  /** Tries per message, the first included. Default 3. */
  attempts?: number;
  /** One try, headers and body, gives up after this long. Default 5,000 ms. */
  timeoutMs?: number;
  /** Wait before the second try; doubled for each next one. Default 1,000 ms. */
  backoffMs?: number;
  /** All tries and waits of one message end within this; a longer Retry-After is not waited for. Default 20 s. */
  windowMs?: number;
  /** Injected so tests do not wait. */
  sleep?: Sleep;
  /** Milliseconds, for the window; injectable with `sleep`. */
  now?: () => number;
}

export const slackNotifierDefaults = {
  attempts: 3,
  timeoutMs: 5_000,
  backoffMs: 1_000,
  windowMs: 20_000,
} as const;

export class SlackNotifier implements Notifier {
  private readonly url: string;
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly windowMs: number;
  private readonly sleep: Sleep;
  private readonly now: (() => number) | undefined;

  constructor(options: SlackNotifierOptions) {
    this.url = options.webhookUrl;
    this.attempts = Math.max(1, options.attempts ?? slackNotifierDefaults.attempts);
    this.timeoutMs = options.timeoutMs ?? slackNotifierDefaults.timeoutMs;
    this.backoffMs = options.backoffMs ?? slackNotifierDefaults.backoffMs;
    this.windowMs = options.windowMs ?? slackNotifierDefaults.windowMs;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now;
  }

  async notify(notice: Notice): Promise<{ delivered: true } | { delivered: false; error: string }> {
    const message = slackMessageFor(notice);
    // Slack answers a 429 with `Retry-After: <seconds>` (api.slack.com/docs/rate-limits); the library's
    // error does not carry headers, so the answer's header is kept here for the retry decision.
    let retryAfterMs: number | undefined;
    const deadlineFetch = fetchWithDeadline(this.timeoutMs);
    const webhook = new IncomingWebhook(this.url, {
      retryConfig: { retries: 0 },
      fetch: async (input, init) => {
        const response = await deadlineFetch(input, init);
        retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
        return response;
      },
    });
    try {
      await retrying(
        async () => {
          retryAfterMs = undefined;
          await webhook.send({ text: message.text, blocks: message.blocks });
        },
        {
          policy: {
            windowMs: this.windowMs,
            baseDelayMs: this.backoffMs,
            maxDelayMs: Number.MAX_SAFE_INTEGER,
            maxAttempts: this.attempts,
          },
          // One client posting to one channel: the documented fixed waits (1 s, then 2 s), no jitter.
          jitter: false,
          classify: (error) =>
            isRetryable(error)
              ? { retry: true, ...(retryAfterMs === undefined ? {} : { afterMs: retryAfterMs }) }
              : { retry: false },
          sleep: this.sleep,
          ...(this.now ? { now: this.now } : {}),
        },
      );
      return { delivered: true };
    } catch (error) {
      return { delivered: false, error: describe(error, retryAfterMs) };
    }
  }
}

/** A 4xx other than 429 (a revoked webhook, a malformed message) fails the same way every time. */
function isRetryable(error: unknown): boolean {
  if (error instanceof IncomingWebhookHTTPError) return error.statusCode === 429 || error.statusCode >= 500;
  return true;
}

function describe(error: unknown, retryAfterMs: number | undefined): string {
  if (error instanceof IncomingWebhookHTTPError) {
    const wait = retryAfterMs === undefined ? "" : ` (Retry-After: ${Math.ceil(retryAfterMs / 1000)} s)`;
    return `Slack answered ${error.statusCode} ${error.statusMessage}${error.body ? `: ${error.body.slice(0, 200)}` : ""}${error.statusCode === 429 ? wait : ""}`;
  }
  const original = (error as { original?: Error }).original;
  const cause = original ?? (error as Error);
  return `Slack could not be reached: ${cause?.name === "TimeoutError" ? "timed out" : (cause?.message ?? String(error))}`;
}
