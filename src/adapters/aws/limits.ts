/**
 * Rate limits and concurrency caps for the AWS adapters (DESIGN.md §5). The adapters stay under the
 * published limits by design, so throttling errors are the exception a retry absorbs, not the norm.
 */
import { realSleep, type Sleep } from "../retry.js";

/** Limits the AWS adapters respect; every field is configurable, defaults are AWS's published quotas. */
export interface AwsLimits {
  /**
   * Identity Store: requests per second shared by every operation. The quotas page has said both "20 TPS
   * per API" and "a collective throttle limit"; one bucket for all operations is right under either
   * wording, where a bucket per operation overruns the collective limit as soon as two operations run at
   * once (reads do). A raised limit (a support case) is configured here.
   */
  identityStorePerSecond: number;
  /** SSO admin: requests per second shared by every operation (AWS: 20 TPS together). */
  ssoAdminPerSecond: number;
  /** Organizations: requests per second shared by every operation (AWS throttles it hard). */
  organizationsPerSecond: number;
  /** Account assignment requests (create or delete) in flight until their status is final (AWS: 15). */
  maxOutstandingAssignmentRequests: number;
  /** ProvisionPermissionSet requests in flight until their status is final (AWS: 3). */
  maxConcurrentProvisionings: number;
  /** Parallel read requests while reading state (memberships, permission sets, assignments). */
  readConcurrency: number;
}

export const defaultAwsLimits: AwsLimits = {
  identityStorePerSecond: 20,
  ssoAdminPerSecond: 20,
  organizationsPerSecond: 5,
  maxOutstandingAssignmentRequests: 15,
  maxConcurrentProvisionings: 3,
  readConcurrency: 8,
} as const;

/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most one second's worth so a burst
 * never exceeds what AWS allows in a second. Waiters are served in arrival order.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly sleep: Sleep = realSleep,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`a rate must be positive, got ${ratePerSecond}`);
    this.tokens = Math.max(1, ratePerSecond);
    this.last = now();
  }

  /** Resolves when a request may be sent. */
  take(): Promise<void> {
    // Chaining keeps waiters in order: each one waits for the previous one to get its token first.
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.now();
      const capacity = Math.max(1, this.ratePerSecond);
      this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}

/** A token bucket per service: each of the three throttles its operations together (`AwsLimits`). */
export interface AwsRateBuckets {
  identityStore: TokenBucket;
  ssoAdmin: TokenBucket;
  organizations: TokenBucket;
}

export function newRateBuckets(limits: AwsLimits, sleep: Sleep = realSleep): AwsRateBuckets {
  return {
    identityStore: new TokenBucket(limits.identityStorePerSecond, sleep),
    ssoAdmin: new TokenBucket(limits.ssoAdminPerSecond, sleep),
    organizations: new TokenBucket(limits.organizationsPerSecond, sleep),
  };
}

const processBuckets = new Map<string, AwsRateBuckets>();

/**
 * The buckets every adapter of this process shares, for these rates. AWS meters an account's requests
 * per second whoever sends them: a run that starts right after another (the next invocation in a Lambda
 * container, a queued batch after the schedule's run) finds AWS's bucket partly spent, and a bucket of
 * its own that starts full overruns it — the throttled retries the event benchmark counted between
 * back-to-back targeted runs (bench/RESULTS.md). Shared, the account directory and the kill switch (both
 * Organizations) are one bucket too. Other processes (another container) still start full; AWS's
 * throttling and our retries cover that.
 */
export function processRateBuckets(limits: AwsLimits): AwsRateBuckets {
  const key = `${limits.identityStorePerSecond}/${limits.ssoAdminPerSecond}/${limits.organizationsPerSecond}`;
  let buckets = processBuckets.get(key);
  if (buckets === undefined) {
    buckets = newRateBuckets(limits);
    processBuckets.set(key, buckets);
  }
  return buckets;
}

/** At most `limit` holders at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`a concurrency limit must be at least 1, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so a newcomer cannot overtake it.
      if (next) next();
      else this.active -= 1;
    }
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
