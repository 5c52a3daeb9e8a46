/**
 * Sends one AWS request under a rate limit, retrying throttling and transient failures with
 * exponential backoff and full jitter. The same policy as the Identity Center adapter's `AwsCaller`
 * (its retry predicate and defaults are reused), for services that caller does not know: IAM, STS and
 * CloudTrail, whose limits are per account (and per region for CloudTrail).
 */
import { defaultRetryPolicy, isRetryableAwsError, type RetryPolicy } from "../aws/aws-caller.js";
import type { Sleep, TokenBucket } from "../aws/limits.js";

export interface RetryContext {
  retry?: Partial<RetryPolicy>;
  sleep: Sleep;
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
  const policy = { ...defaultRetryPolicy, ...context.retry };
  const random = context.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    await bucket?.take();
    context.onAttempt?.(operation, attempt);
    try {
      return await send();
    } catch (error) {
      if (attempt >= policy.maxAttempts || !isRetryableAwsError(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await context.sleep(Math.round(random() * ceiling));
    }
  }
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
