/**
 * Reads a failed Google API call (a GaxiosError from the @googleapis client, or a token endpoint error
 * from google-auth-library) and says what kind of failure it is. The Directory API puts the reason in
 * `error.errors[0].reason`; the OAuth token endpoint puts it in `error` (a string) instead.
 */

/** What the source does with a failure. */
export const FailureKind = {
  /** Quota, 429, 5xx, connection reset, timeout: back off and try again. */
  retryable: "retryable",
  /** Delegation, scopes, subject or API access are wrong: stop and say what to check. */
  misconfiguration: "misconfiguration",
  /** 404: the caller decides (a missing group is named in the error). */
  notFound: "notFound",
  /** Any other client error: retrying would give the same answer. */
  fatal: "fatal",
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

export interface GoogleFailure {
  kind: FailureKind;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Google's reason (`userRateLimitExceeded`, `notFound`, `unauthorized_client`) or the socket error code. */
  reason?: string;
  /** One line for humans: "403 userRateLimitExceeded: User Rate Limit Exceeded". */
  summary: string;
}

const rateLimitReasons = new Set(["userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"]);

const misconfigurationReasons = new Set([
  "notAuthorized",
  "forbidden",
  "insufficientPermissions",
  "accessNotConfigured",
  "SERVICE_DISABLED",
  "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
  "domainCannotUseApis",
  "authError",
  // The OAuth token endpoint's own words for a delegation, key or subject problem.
  "unauthorized_client",
  "invalid_grant",
  "invalid_client",
  "access_denied",
  "invalid_scope",
]);

// Socket-level failures that mean "the request may not have arrived": safe to repeat for reads.
const transientCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ECONNABORTED",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "TimeoutError",
  "AbortError",
]);

interface ErrorLike {
  message?: unknown;
  status?: unknown;
  code?: unknown;
  cause?: unknown;
  response?: { status?: unknown; data?: unknown };
}

/** True when Google said the caller is over its quota (429, or 403 with a rate-limit reason). */
export function isGoogleRateLimit(failure: GoogleFailure): boolean {
  return (
    failure.status === 429 ||
    (failure.status === 403 && failure.reason !== undefined && rateLimitReasons.has(failure.reason))
  );
}

/** Classifies any error thrown by a call of the @googleapis/admin client. */
export function classifyGoogleError(error: unknown): GoogleFailure {
  const err = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  const status = numberOr(err.response?.status) ?? numberOr(err.status);
  const { reason, message } = readBody(err.response?.data);
  const text = message ?? (typeof err.message === "string" ? err.message : String(error));

  if (status === undefined) {
    // A 2xx answer that was not the page the API promises (page-shape.ts): as transient as a 503.
    if (err instanceof Error && err.name === "MalformedResponseError") {
      return { kind: FailureKind.retryable, reason: "malformedResponse", summary: err.message };
    }
    const code = socketCode(error);
    // google-auth-library rewrites the message of a failed token request to "<error>: <description>".
    const tokenError =
      /^(unauthorized_client|invalid_grant|invalid_client|access_denied|invalid_scope)\b/.exec(text)?.[1];
    if (tokenError) return { kind: FailureKind.misconfiguration, reason: tokenError, summary: text };
    if (code !== undefined && transientCodes.has(code)) {
      return { kind: FailureKind.retryable, reason: code, summary: `${code}: ${text}` };
    }
    return { kind: FailureKind.fatal, ...(code === undefined ? {} : { reason: code }), summary: text };
  }

  const summary = `${status}${reason ? ` ${reason}` : ""}: ${text}`;
  const failure = (kind: FailureKind): GoogleFailure => ({
    kind,
    status,
    ...(reason === undefined ? {} : { reason }),
    summary,
  });
  if (status === 429 || status >= 500 || status === 408) return failure(FailureKind.retryable);
  if (status === 403 && reason !== undefined && rateLimitReasons.has(reason))
    return failure(FailureKind.retryable);
  if (status === 401) return failure(FailureKind.misconfiguration);
  // A 400/401 from the token endpoint carries the OAuth error string.
  if (reason !== undefined && misconfigurationReasons.has(reason))
    return failure(FailureKind.misconfiguration);
  if (status === 403) return failure(FailureKind.misconfiguration);
  if (status === 404) return failure(FailureKind.notFound);
  return failure(FailureKind.fatal);
}

function readBody(data: unknown): { reason?: string; message?: string } {
  if (typeof data !== "object" || data === null) return {};
  const body = data as { error?: unknown; error_description?: unknown };
  if (typeof body.error === "string") {
    // OAuth token endpoint: { error: "unauthorized_client", error_description: "..." }
    const description = typeof body.error_description === "string" ? body.error_description : undefined;
    return { reason: body.error, message: description ?? body.error };
  }
  if (typeof body.error !== "object" || body.error === null) return {};
  const apiError = body.error as { message?: unknown; status?: unknown; errors?: unknown };
  const first = Array.isArray(apiError.errors)
    ? (apiError.errors[0] as { reason?: unknown } | undefined)
    : undefined;
  const reason =
    typeof first?.reason === "string"
      ? first.reason
      : typeof apiError.status === "string"
        ? apiError.status
        : undefined;
  const message = typeof apiError.message === "string" ? apiError.message : undefined;
  return { ...(reason === undefined ? {} : { reason }), ...(message === undefined ? {} : { message }) };
}

function socketCode(error: unknown): string | undefined {
  // The socket code sits on the error or somewhere down its cause chain (GaxiosError → FetchError).
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth += 1) {
    const candidate = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof candidate.code === "string" && candidate.code.length > 0) return candidate.code;
    if (candidate.name === "TimeoutError" || candidate.name === "AbortError") return candidate.name;
    current = candidate.cause;
  }
  return undefined;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}
