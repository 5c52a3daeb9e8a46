/**
 * One retry policy for every outside system idc-sync talks to (the Google Directory API, the AWS APIs,
 * Slack). Retries are budgeted by time, not by a count of attempts: a throttling storm shorter than the
 * window (60 s by default) is ridden out, a longer one fails the request with the service's own error.
 * A wait the service asks for (`Retry-After`, identitystore's `RetryAfterSeconds`) is honoured; one
 * longer than what is left of the window ends the retries at once instead of sleeping past it.
 *
 * Time spent is the real time of the attempts plus the waits as asked for, so a test that passes a
 * sleep which does not really wait still sees the window close after the same attempts as production.
 */

import { ConfigurationError } from "../sync/errors.js";

/** Waits between attempts; tests pass one that does not really wait. */
export type Sleep = (milliseconds: number) => Promise<void>;

/** The one real sleep every adapter uses. */
export const realSleep: Sleep = (milliseconds) =>
  new Promise((resolve) => {
    setTimeout(resolve, milliseconds);
  });

export interface RetryPolicy {
  /** No retry starts whose wait would end more than this long after the first attempt began. */
  windowMs: number;
  /** Full-jitter exponential backoff: retry n waits random() × min(maxDelayMs, baseDelayMs × 2^(n-1)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A cap on attempts (the first included) on top of the window; none unless a caller sets one. */
  maxAttempts?: number;
}

/** The environment variable (whole seconds) that sets the window for a run; 60 when unset. */
export const retryWindowVariable = "IDC_SYNC_RETRY_WINDOW_SECONDS";
export const defaultRetryWindowMs = 60_000;

/**
 * The window from `IDC_SYNC_RETRY_WINDOW_SECONDS`: undefined when unset (callers keep their default), a
 * ConfigurationError naming the variable when it is not a number of seconds from 0 to 3600.
 */
export function retryWindowFrom(env: Record<string, string | undefined>): number | undefined {
  const raw = env[retryWindowVariable]?.trim();
  if (raw === undefined || raw === "") return undefined;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new ConfigurationError(
      `${retryWindowVariable} must be a number of seconds from 0 to 3600, got '${raw}'`,
    );
  }
  return seconds * 1000;
}

/** What a caller's classifier says about one failure. */
export type RetryDecision =
  | { retry: false }
  /** `afterMs`: the service asked for at least this wait. */
  | { retry: true; afterMs?: number };

export interface RetryOptions {
  policy: RetryPolicy;
  classify(error: unknown): RetryDecision;
  /** Waits between attempts; tests pass one that does not really wait. */
  sleep(ms: number): Promise<void>;
  /** Milliseconds, for the real time an attempt took. Default `performance.now`. */
  now?: () => number;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** False waits the full backoff ceiling each time (one client alone, e.g. a webhook). Default true. */
  jitter?: boolean;
  /** Told before each wait. */
  onRetry?(retry: { attempt: number; delayMs: number; error: unknown }): void;
}

/**
 * Calls `attempt` until it resolves, the classifier says the failure is not worth repeating, or the
 * policy's window (or attempt cap) is used up; then the last error is thrown as it was.
 */
export async function retrying<T>(
  attempt: (number: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy } = options;
  const now = options.now ?? (() => performance.now());
  const random = options.jitter === false ? () => 1 : (options.random ?? Math.random);
  let spentMs = 0;
  for (let number = 1; ; number += 1) {
    const startedAt = now();
    try {
      return await attempt(number);
    } catch (error) {
      spentMs += Math.max(0, now() - startedAt);
      const decision = options.classify(error);
      if (!decision.retry) throw error;
      if (policy.maxAttempts !== undefined && number >= policy.maxAttempts) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (number - 1));
      const delayMs = Math.max(Math.floor(random() * ceiling), Math.ceil(decision.afterMs ?? 0));
      if (spentMs + delayMs > policy.windowMs) throw error;
      options.onRetry?.({ attempt: number, delayMs, error });
      await options.sleep(delayMs);
      spentMs += delayMs;
    }
  }
}

/**
 * A `Retry-After` header value in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
