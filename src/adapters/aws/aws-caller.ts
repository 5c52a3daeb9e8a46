/**
 * Every AWS request of the adapters goes through one `AwsCaller`: it waits for the rate limiter of
 * the operation, reports the call (for counting), and retries throttling and server errors with
 * exponential backoff and full jitter. SDK clients should be built with `maxAttempts: 1` so this is
 * the only retry layer and the limiter sees every attempt.
 */
import { type AwsLimits, realSleep, type Sleep, TokenBucket } from "./limits.js";

export const AwsService = {
  identityStore: "identitystore",
  ssoAdmin: "sso-admin",
  organizations: "organizations",
} as const;
export type AwsService = (typeof AwsService)[keyof typeof AwsService];

/** Told about every request attempt (retries included), e.g. to count calls for a benchmark. */
export type CallListener = (service: AwsService, operation: string) => void;

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
} as const;

const throttlingErrorNames = new Set([
  "ThrottlingException",
  "TooManyRequestsException",
  "Throttling",
  "ThrottledException",
  "RequestLimitExceeded",
  "SlowDown",
]);
const transientErrorNames = new Set([
  "InternalServerException",
  "ServiceException",
  "ServiceUnavailableException",
]);
const networkErrorCodes = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"]);

/** True for throttling, 5xx and connection errors: sending the same request again may succeed. */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (
    candidate.name &&
    (throttlingErrorNames.has(candidate.name) || transientErrorNames.has(candidate.name))
  ) {
    return true;
  }
  const status = candidate.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  return candidate.code !== undefined && networkErrorCodes.has(candidate.code);
}

/** The error name an AWS SDK v3 exception carries, e.g. "ConflictException". */
export function awsErrorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { name?: string }).name : undefined;
}

export interface AwsCallerOptions {
  limits: AwsLimits;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  onCall?: CallListener;
  /** For jitter; injectable so tests can make delays predictable. */
  random?: () => number;
}

export class AwsCaller {
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly identityStoreBuckets = new Map<string, TokenBucket>();
  private readonly ssoAdminBucket: TokenBucket;
  private readonly organizationsBucket: TokenBucket;

  constructor(private readonly options: AwsCallerOptions) {
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.ssoAdminBucket = new TokenBucket(options.limits.ssoAdminPerSecond, this.sleep);
    this.organizationsBucket = new TokenBucket(options.limits.organizationsPerSecond, this.sleep);
  }

  /** Sends one request (`send` builds and sends the command) under the limits, retrying transient failures. */
  async call<T>(service: AwsService, operation: string, send: () => Promise<T>): Promise<T> {
    const bucket = this.bucketFor(service, operation);
    for (let attempt = 1; ; attempt += 1) {
      await bucket.take();
      this.options.onCall?.(service, operation);
      try {
        return await send();
      } catch (error) {
        if (attempt >= this.retry.maxAttempts || !isRetryableAwsError(error)) throw error;
        const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        // Full jitter: clients throttled together spread out instead of retrying in lockstep.
        await this.sleep(Math.round(this.random() * ceiling));
      }
    }
  }

  private bucketFor(service: AwsService, operation: string): TokenBucket {
    if (service === AwsService.ssoAdmin) return this.ssoAdminBucket;
    if (service === AwsService.organizations) return this.organizationsBucket;
    let bucket = this.identityStoreBuckets.get(operation);
    if (!bucket) {
      bucket = new TokenBucket(this.options.limits.identityStorePerOperationPerSecond, this.sleep);
      this.identityStoreBuckets.set(operation, bucket);
    }
    return bucket;
  }
}
