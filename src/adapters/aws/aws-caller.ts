/**
 * Every AWS request of the adapters goes through one `AwsCaller`: it waits for the rate limiter of
 * the operation, reports the call (for counting), and retries throttling, server errors, timeouts and
 * malformed answers under the shared time-budgeted policy (`../retry.ts`), honouring the wait AWS asks
 * for. SDK clients should be built with `maxAttempts: 1` so this is the only retry layer and the limiter
 * sees every attempt.
 */
import {
  defaultRetryWindowMs,
  type RetryDecision,
  type RetryPolicy,
  realSleep,
  retrying,
  type Sleep,
} from "../retry.js";
import { type AwsLimits, type AwsRateBuckets, newRateBuckets, type TokenBucket } from "./limits.js";

export type { RetryPolicy } from "../retry.js";

export const AwsService = {
  identityStore: "identitystore",
  ssoAdmin: "sso-admin",
  organizations: "organizations",
} as const;
export type AwsService = (typeof AwsService)[keyof typeof AwsService];

/** Told about every request attempt (retries included), e.g. to count calls for a benchmark. */
export type CallListener = (service: AwsService, operation: string) => void;

/** AWS's own SDKs back off from 100 ms up to 20 s; a 60 s window rides out a minute of throttling. */
export const defaultRetryPolicy: RetryPolicy = {
  windowMs: defaultRetryWindowMs,
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
// Not AWS's words but the transport's: a deadline passed, or a 2xx answer was not the JSON AWS sends.
const transportErrorNames = new Set(["TimeoutError", "AbortError", "MalformedResponseError"]);
const networkErrorCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
]);

/**
 * True for throttling, 5xx, timeouts, malformed answers, connection errors and identitystore's
 * concurrent modifications: sending again may succeed.
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (
    candidate.name &&
    (throttlingErrorNames.has(candidate.name) ||
      transientErrorNames.has(candidate.name) ||
      transportErrorNames.has(candidate.name))
  ) {
    return true;
  }
  if (isConcurrentModification(error)) return true;
  const status = candidate.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  return candidate.code !== undefined && networkErrorCodes.has(candidate.code);
}

/** True when AWS said it is throttling the caller (not a server error or a network fault). */
export function isAwsThrottling(error: unknown): boolean {
  const name = awsErrorName(error);
  if (name !== undefined && throttlingErrorNames.has(name)) return true;
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode === 429;
}

/**
 * The wait AWS asked for, in milliseconds: identitystore's `RetryAfterSeconds` on ThrottlingException
 * and InternalServerException, or a `Retry-After` header on the raw answer.
 */
export function awsRetryAfterMs(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const candidate = error as {
    RetryAfterSeconds?: unknown;
    $response?: { headers?: Record<string, string | undefined> };
  };
  if (typeof candidate.RetryAfterSeconds === "number" && Number.isFinite(candidate.RetryAfterSeconds)) {
    return Math.max(0, candidate.RetryAfterSeconds * 1000);
  }
  const header = candidate.$response?.headers?.["retry-after"];
  return header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : undefined;
}

/** The classifier the shared retry policy uses for every AWS request. */
export function classifyAwsFailure(error: unknown): RetryDecision {
  if (!isRetryableAwsError(error)) return { retry: false };
  const afterMs = awsRetryAfterMs(error);
  return afterMs === undefined ? { retry: true } : { retry: true, afterMs };
}

/**
 * identitystore's ConflictException says why in `Reason`: UNIQUENESS_CONSTRAINT_VIOLATION ("would
 * violate an existing uniqueness claim ... Resolve the conflict before retrying") or
 * CONCURRENT_MODIFICATION ("being concurrently modified by another request"). Only the second passes.
 */
export function isConcurrentModification(error: unknown): boolean {
  return (
    awsErrorName(error) === "ConflictException" &&
    (error as { Reason?: unknown }).Reason === "CONCURRENT_MODIFICATION"
  );
}

/**
 * The classifier for writes whose ConflictException is a conflicting write, retried with backoff like
 * throttling. sso-admin's ConflictException "occurs when a conflict with a previous successful write is
 * detected ... A retry (with appropriate backoff logic) is the recommended response to this exception"
 * (API reference), e.g. while the permission set is being provisioned (one permission set updated at a
 * time per account). A write that may meet something already there (a create, an attach) checks with a
 * read before its conflict reaches this classifier.
 */
export function classifyWriteFailure(error: unknown): RetryDecision {
  if (awsErrorName(error) === "ConflictException") return { retry: true };
  return classifyAwsFailure(error);
}

/** The error name an AWS SDK v3 exception carries, e.g. "ConflictException". */
export function awsErrorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { name?: string }).name : undefined;
}

/** How one AWS request is retried: the policy, the clock and who hears each attempt. */
export interface RetryContext {
  retry?: Partial<RetryPolicy>;
  sleep: Sleep;
  /** Milliseconds, for the time budget; injectable with `sleep`. */
  now?: () => number;
  random?: () => number;
  /** Told about every attempt, e.g. to count requests or show retries. */
  onAttempt?: (operation: string, attempt: number) => void;
}

/**
 * Sends one AWS request under a rate limit (`bucket`, when there is one), retrying what `classify`
 * calls transient under the shared time-budgeted policy. Every AWS adapter sends through here: the
 * Identity Center and Organizations ones through `AwsCaller`, the IAM, STS and CloudTrail ones (limits
 * per account and region) directly.
 */
export async function sendAwsRequest<T>(
  operation: string,
  bucket: TokenBucket | undefined,
  context: RetryContext,
  send: () => Promise<T>,
  classify: (error: unknown) => RetryDecision = classifyAwsFailure,
): Promise<T> {
  return retrying(
    async (attempt) => {
      await bucket?.take();
      context.onAttempt?.(operation, attempt);
      return send();
    },
    {
      policy: { ...defaultRetryPolicy, ...context.retry },
      classify,
      sleep: context.sleep,
      ...(context.now ? { now: context.now } : {}),
      ...(context.random ? { random: context.random } : {}),
    },
  );
}

export interface AwsCallerOptions {
  limits: AwsLimits;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  /** Milliseconds, for the time budget of retries; injectable with `sleep` so tests control time. */
  now?: () => number;
  onCall?: CallListener;
  /** Told about every answer that was AWS throttling the request (before it is retried, or not). */
  onThrottled?: CallListener;
  /** For jitter; injectable so tests can make delays predictable. */
  random?: () => number;
  /**
   * Rate buckets shared with other callers (`processRateBuckets`: the production adapters'); without,
   * this caller has its own, filled at start.
   */
  rateBuckets?: AwsRateBuckets;
}

export class AwsCaller {
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly buckets: AwsRateBuckets;

  constructor(private readonly options: AwsCallerOptions) {
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.buckets = options.rateBuckets ?? newRateBuckets(options.limits, this.sleep);
  }

  /**
   * Sends one request (`send` builds and sends the command) under the limits, retrying transient
   * failures (`classify`: which ones; by default `classifyAwsFailure`).
   */
  async call<T>(
    service: AwsService,
    operation: string,
    send: () => Promise<T>,
    classify: (error: unknown) => RetryDecision = classifyAwsFailure,
  ): Promise<T> {
    return sendAwsRequest(
      operation,
      this.bucketFor(service),
      {
        retry: this.retry,
        sleep: this.sleep,
        random: this.random,
        ...(this.options.now ? { now: this.options.now } : {}),
        ...(this.options.onCall ? { onAttempt: () => this.options.onCall?.(service, operation) } : {}),
      },
      async () => {
        try {
          return await send();
        } catch (error) {
          if (isAwsThrottling(error)) this.options.onThrottled?.(service, operation);
          throw error;
        }
      },
      classify,
    );
  }

  /** One bucket per service: each of the three throttles its operations together (limits.ts). */
  private bucketFor(service: AwsService): TokenBucket {
    if (service === AwsService.ssoAdmin) return this.buckets.ssoAdmin;
    if (service === AwsService.organizations) return this.buckets.organizations;
    return this.buckets.identityStore;
  }
}
