/**
 * Fault injection for the Google Directory emulator: rules that match requests (by path and list page)
 * and, for a number of matches or for ever, answer with a Google-shaped error, drop the connection or
 * delay the answer. Rules are checked in the order they were added; each match uses up one time.
 */

/** Which requests a fault applies to. Nothing given means every request. */
export interface FaultTarget {
  /** A substring of the decoded path ("/members", "aws-admins@example.com") or a pattern over it. */
  path?: string | RegExp;
  /** 0-based page of a list: 0 is the request without a pageToken. */
  page?: number;
  /** How many matching requests the fault applies to; `Infinity` for a persistent fault. Default 1. */
  times?: number;
  /** Applies only while this says true (a storm on a test's clock); it uses up no times when false. */
  while?: () => boolean;
}

export interface GoogleErrorSpec {
  status: number;
  reason: string;
  message: string;
  /** `global` for most errors, `usageLimits` for quota errors. */
  domain: string;
  /** Sent as `Retry-After` (seconds). RFC 9110 §10.2.3: a 429 or 503 "MAY" carry it. */
  retryAfterSeconds?: number;
}

/** Answers that are not what the Directory API promises, as a proxy, a broken front end or a bug sends. */
export const malformedBodies = {
  /** A captive portal or proxy login page, served with 200. */
  html: { contentType: "text/html; charset=UTF-8", body: "<!DOCTYPE html><html><body>Sign in</body></html>" },
  /** A 200 with nothing in it. */
  empty: { contentType: "application/json; charset=UTF-8", body: "" },
  /** Valid JSON, but a string rather than a page object. */
  jsonString: { contentType: "application/json; charset=UTF-8", body: '"OK"' },
  /** A page object of the wrong kind (another API's answer; no reader lists schemas, so it fits none). */
  wrongKind: {
    contentType: "application/json; charset=UTF-8",
    body: '{"kind":"admin#directory#schemas","schemas":[]}',
  },
  /** The list is there but is not a list. */
  listNotArray: {
    contentType: "application/json; charset=UTF-8",
    body: '{"kind":"admin#directory#users","users":{"id":"1"}}',
  },
} as const;
export type MalformedBody = keyof typeof malformedBodies;

export type FaultEffect =
  | { kind: "error"; error: GoogleErrorSpec }
  | { kind: "reset" }
  | { kind: "delay"; ms: number }
  | { kind: "malformed"; body: MalformedBody }
  /** A well-formed page with its items taken out but its nextPageToken kept: a page lost on the way. */
  | { kind: "emptyPage" }
  /** Headers and the first bytes of the body, then nothing: the connection stays open and silent. */
  | { kind: "stall" };

interface FaultRule {
  target: FaultTarget;
  remaining: number;
  effect: FaultEffect;
}

/** What the emulator knows about a request when it asks for faults. */
export interface FaultRequest {
  path: string;
  page: number | undefined;
}

export const rateLimitErrors = {
  userRateLimitExceeded: {
    status: 403,
    reason: "userRateLimitExceeded",
    message: "User Rate Limit Exceeded",
    domain: "usageLimits",
  },
  rateLimitExceeded: {
    status: 403,
    reason: "rateLimitExceeded",
    message: "Rate Limit Exceeded",
    domain: "usageLimits",
  },
  quotaExceeded: { status: 403, reason: "quotaExceeded", message: "Quota Exceeded", domain: "usageLimits" },
  tooManyRequests: {
    status: 429,
    reason: "rateLimitExceeded",
    message: "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.",
    domain: "usageLimits",
  },
} as const satisfies Record<string, GoogleErrorSpec>;

/** The fault controls of one emulator (`emulator.faults`). */
export class EmulatorFaults {
  private rules: FaultRule[] = [];

  /** 403 `userRateLimitExceeded` (or another quota error, or 429) for the matching requests. */
  rateLimit(
    options: FaultTarget & { error?: keyof typeof rateLimitErrors; retryAfterSeconds?: number } = {},
  ): this {
    const error: GoogleErrorSpec = { ...rateLimitErrors[options.error ?? "userRateLimitExceeded"] };
    if (options.retryAfterSeconds !== undefined) error.retryAfterSeconds = options.retryAfterSeconds;
    return this.add(options, { kind: "error", error });
  }

  /** A 200 whose body is not a Directory API page (HTML, empty, a JSON string, another kind). */
  malformed(options: FaultTarget & { body: MalformedBody }): this {
    return this.add(options, { kind: "malformed", body: options.body });
  }

  /** The matching list page comes back well formed and empty, with the token to the next page kept. */
  emptyPage(options: FaultTarget): this {
    return this.add(options, { kind: "emptyPage" });
  }

  /** The answer starts (200, headers, a few bytes) and then never finishes. */
  stallAfterHeaders(options: FaultTarget = {}): this {
    return this.add(options, { kind: "stall" });
  }

  /** 500 (or another 5xx) "Backend Error" for the matching requests. */
  serverError(options: FaultTarget & { status?: number } = {}): this {
    const status = options.status ?? 500;
    return this.add(options, {
      kind: "error",
      error: {
        status,
        reason: status === 503 ? "backendError" : "internalError",
        message: "Backend Error",
        domain: "global",
      },
    });
  }

  /** A given list page fails `times` times with a 500, then works. */
  failPage(options: { path: string | RegExp; page: number; times: number; status?: number }): this {
    return this.serverError(options);
  }

  /** Every matching request fails with a 500 until `clear()`. */
  persistentFailure(options: Omit<FaultTarget, "times"> & { status?: number } = {}): this {
    return this.serverError({ ...options, times: Number.POSITIVE_INFINITY });
  }

  /** 401 "Invalid Credentials", as Google answers an expired or revoked token. Persistent by default. */
  authError(options: FaultTarget = {}): this {
    return this.add(
      { times: Number.POSITIVE_INFINITY, ...options },
      { kind: "error", error: invalidCredentials },
    );
  }

  /** 403 "Not Authorized to access this resource/api", as Google answers a subject without admin rights. */
  notAuthorized(options: FaultTarget = {}): this {
    return this.add(
      { times: Number.POSITIVE_INFINITY, ...options },
      {
        kind: "error",
        error: {
          status: 403,
          reason: "forbidden",
          message: "Not Authorized to access this resource/api",
          domain: "global",
        },
      },
    );
  }

  /** Any Google-shaped error. */
  error(error: GoogleErrorSpec, options: FaultTarget = {}): this {
    return this.add(options, { kind: "error", error });
  }

  /** The connection is dropped without an answer (the client sees a reset). */
  connectionReset(options: FaultTarget = {}): this {
    return this.add(options, { kind: "reset" });
  }

  /** The answer comes `delayMs` late. */
  slow(options: FaultTarget & { delayMs: number }): this {
    return this.add(options, { kind: "delay", ms: options.delayMs });
  }

  /** Removes every fault. */
  clear(): void {
    this.rules = [];
  }

  /** Faults still armed (persistent ones count as Infinity). */
  pending(): number {
    return this.rules.reduce((sum, rule) => sum + rule.remaining, 0);
  }

  /**
   * The effects for one request: every matching delay, then the first matching error or reset. Each
   * rule used loses one time.
   */
  take(request: FaultRequest): { delayMs: number; outcome?: Exclude<FaultEffect, { kind: "delay" }> } {
    let delayMs = 0;
    let outcome: Exclude<FaultEffect, { kind: "delay" }> | undefined;
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || !matches(rule.target, request)) continue;
      if (rule.effect.kind === "delay") {
        delayMs += rule.effect.ms;
        rule.remaining -= 1;
      } else if (outcome === undefined) {
        outcome = rule.effect;
        rule.remaining -= 1;
      }
    }
    this.rules = this.rules.filter((rule) => rule.remaining > 0);
    return outcome ? { delayMs, outcome } : { delayMs };
  }

  private add(target: FaultTarget, effect: FaultEffect): this {
    const times = target.times ?? 1;
    if (!(times > 0)) throw new RangeError("a fault needs times > 0");
    this.rules.push({ target, remaining: times, effect });
    return this;
  }
}

export const invalidCredentials: GoogleErrorSpec = {
  status: 401,
  reason: "authError",
  message: "Invalid Credentials",
  domain: "global",
};

function matches(target: FaultTarget, request: FaultRequest): boolean {
  if (target.path !== undefined) {
    const ok =
      typeof target.path === "string" ? request.path.includes(target.path) : target.path.test(request.path);
    if (!ok) return false;
  }
  if (target.page !== undefined && request.page !== target.page) return false;
  if (target.while !== undefined && !target.while()) return false;
  return true;
}
