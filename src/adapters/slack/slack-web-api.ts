/**
 * The official Slack Web API client (`@slack/web-api`) with idc-sync's retry policy around each call.
 *
 * Slack answers a rate-limited call with HTTP 429 and "a Retry-After HTTP header containing the number
 * of seconds until you can retry" (docs.slack.dev/apis/web-api/rate-limits). The client would honour it
 * itself, but by sleeping inside its request queue with its default policy of ten retries over about
 * thirty minutes, far past a Lambda's budget. So the client is told to reject rate-limited calls
 * (`rejectRateLimitedCalls`, which throws `WebAPIRateLimitedError` carrying `retryAfter`), not to retry
 * (`retryConfig.retries: 0`), and `retrying` waits exactly the seconds Slack asked for, as long as that
 * fits in the window; a longer wait ends the retries at once with Slack's answer.
 */
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from "@slack/web-api";
import { retrying } from "../retry.js";

export type Sleep = (ms: number) => Promise<void>;

export interface SlackWebApiOptions {
  /** The bot token (xoxb-...). */
  token: string;
  /** Default https://slack.com/api/; tests give the emulator's. */
  slackApiUrl?: string;
  /** One HTTP exchange gives up after this long. Default 5,000 ms. */
  timeoutMs?: number;
  /** All tries and waits of one call end within this. Default 20 s. */
  windowMs?: number;
  /** Tries per call, the first included. Default 4. */
  attempts?: number;
  /** Wait before the second try of a failure that names no wait; doubled for each next one. Default 1 s. */
  backoffMs?: number;
  /** Injected so tests do not wait; they can read the waits asked for. */
  sleep?: Sleep;
  now?: () => number;
  /** Told before each wait, for a log line. */
  onRetry?: (retry: { method: string; delayMs: number; reason: string }) => void;
}

export const slackWebApiDefaults = {
  timeoutMs: 5_000,
  windowMs: 20_000,
  attempts: 4,
  backoffMs: 1_000,
} as const;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One Web API method call's answer, as the client gives it. */
export type SlackAnswer = Record<string, unknown> & { ok?: boolean };

/** Calls Web API methods with the retry policy; errors are thrown as the client throws them. */
export class SlackWebApi {
  readonly client: WebClient;
  private readonly options: SlackWebApiOptions;

  constructor(options: SlackWebApiOptions) {
    this.options = options;
    this.client = new WebClient(options.token, {
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      timeout: options.timeoutMs ?? slackWebApiDefaults.timeoutMs,
      // A method name is never an absolute URL here; keep every request on slackApiUrl.
      allowAbsoluteUrls: false,
    });
  }

  /** `method` with `args` (a JSON-able object), retried under the policy. */
  async call(method: string, args: Record<string, unknown>): Promise<SlackAnswer> {
    const options = this.options;
    return retrying(() => this.client.apiCall(method, args) as Promise<SlackAnswer>, {
      policy: {
        windowMs: options.windowMs ?? slackWebApiDefaults.windowMs,
        baseDelayMs: options.backoffMs ?? slackWebApiDefaults.backoffMs,
        maxDelayMs: Number.MAX_SAFE_INTEGER,
        maxAttempts: options.attempts ?? slackWebApiDefaults.attempts,
      },
      jitter: false,
      classify: (error) => {
        if (error instanceof WebAPIRateLimitedError) return { retry: true, afterMs: error.retryAfter * 1000 };
        if (error instanceof WebAPIHTTPError) return { retry: error.statusCode >= 500 };
        if (error instanceof WebAPIRequestError) return { retry: true };
        // ok:false answers (invalid_auth, channel_not_found, invalid_blocks) fail the same way every time.
        return { retry: false };
      },
      sleep: options.sleep ?? realSleep,
      ...(options.now ? { now: options.now } : {}),
      onRetry: ({ delayMs, error }) =>
        options.onRetry?.({ method, delayMs, reason: describeSlackError(error) }),
    });
  }
}

/** A Web API failure in a sentence: Slack's error code, the HTTP status, or the network problem. */
export function describeSlackError(error: unknown): string {
  if (error instanceof WebAPIPlatformError) {
    const details = (error.data as { response_metadata?: { messages?: string[] } }).response_metadata
      ?.messages;
    return `Slack answered ${error.data.error}${details?.length ? ` (${details.slice(0, 3).join("; ")})` : ""}`;
  }
  if (error instanceof WebAPIRateLimitedError)
    return `Slack rate-limited the call (Retry-After: ${error.retryAfter} s)`;
  if (error instanceof WebAPIHTTPError)
    return `Slack answered HTTP ${error.statusCode} ${error.statusMessage}`;
  if (error instanceof WebAPIRequestError) return `Slack could not be reached: ${error.original.message}`;
  return error instanceof Error ? error.message : String(error);
}
