/**
 * Sends one AWS request under a rate limit, retrying throttling and transient failures under the shared
 * time-budgeted policy (`../retry.ts`). The same classifier and defaults as the Identity Center
 * adapter's `AwsCaller`, for services that caller does not know: IAM, STS and CloudTrail, whose limits
 * are per account (and per region for CloudTrail).
 */
import { classifyAwsFailure, defaultRetryPolicy, type RetryPolicy } from "../aws/aws-caller.js";
import type { Sleep, TokenBucket } from "../aws/limits.js";
import { retrying } from "../retry.js";

export interface RetryContext {
  retry?: Partial<RetryPolicy>;
  sleep: Sleep;
  /** Milliseconds, for the time budget; injectable with `sleep`. */
  now?: () => number;
  random?: () => number;
  /** Told about every attempt, e.g. to count requests or show retries. */
  onAttempt?: (operation: string, attempt: number) => void;
}

export async function sendWithRetry<T>(
  operation: string,
  bucket: TokenBucket | undefined,
  context: RetryContext,
  send: () => Promise<T>,
): Promise<T> {
  return retrying(
    async (attempt) => {
      await bucket?.take();
      context.onAttempt?.(operation, attempt);
      return send();
    },
    {
      policy: { ...defaultRetryPolicy, ...context.retry },
      classify: classifyAwsFailure,
      sleep: context.sleep,
      ...(context.now ? { now: context.now } : {}),
      ...(context.random ? { random: context.random } : {}),
    },
  );
}

/** Pages a Marker/IsTruncated (IAM) listing to the end. */
export async function allIamPages<T>(
  fetch: (marker: string | undefined) => Promise<{ items: T[]; marker?: string; isTruncated?: boolean }>,
): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await fetch(marker);
    items.push(...page.items);
    if (!page.isTruncated || !page.marker) return items;
    marker = page.marker;
  }
}
