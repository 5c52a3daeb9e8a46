/**
 * AWS JSON 1.1 plumbing shared by the emulated services: errors as the SDK expects them, input
 * checks that answer ValidationException like AWS does, and opaque page tokens.
 */

/** An error answered as HTTP `status` with `{ "__type": type, "message": ... }` and `x-amzn-ErrorType`. */
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type Input = Record<string, unknown>;

/** The error type a service uses for bad input: identitystore and sso-admin vs organizations. */
export type BadInputType = "ValidationException" | "InvalidInputException";

export function validation(message: string, type: BadInputType = "ValidationException"): AwsApiError {
  return new AwsApiError(type, message);
}

export function requireString(
  input: Input,
  field: string,
  type: BadInputType = "ValidationException",
): string {
  const value = input[field];
  if (typeof value !== "string" || value.length === 0) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
      type,
    );
  }
  return value;
}

export function optionalString(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw validation(`${field} must be a string`);
  return value;
}

export function requireObject(input: Input, field: string): Input {
  const value = input[field];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value as Input;
}

export interface PageRules {
  /** Largest MaxResults the API accepts. */
  max: number;
  /** Page size when MaxResults is absent. */
  default: number;
  /** What the token is for, so a token from another listing is rejected like AWS does. */
  scope: string;
  badInput?: BadInputType;
}

/** One page of `items` per MaxResults/NextToken, with an opaque token for the next one. */
export function paginate<T>(items: T[], input: Input, rules: PageRules): { page: T[]; nextToken?: string } {
  const badInput = rules.badInput ?? "ValidationException";
  const maxResults = input.MaxResults;
  let size = rules.default;
  if (maxResults !== undefined) {
    if (
      typeof maxResults !== "number" ||
      !Number.isInteger(maxResults) ||
      maxResults < 1 ||
      maxResults > rules.max
    ) {
      throw validation(
        `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${rules.max}`,
        badInput,
      );
    }
    size = maxResults;
  }
  let offset = 0;
  const token = input.NextToken;
  if (token !== undefined && token !== null) {
    offset = decodeToken(token, rules.scope, badInput);
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { page, nextToken: encodeToken(rules.scope, next) } : { page };
}

function encodeToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset }), "utf8").toString("base64url");
}

function decodeToken(token: unknown, scope: string, badInput: BadInputType): number {
  try {
    const decoded = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8")) as {
      s?: unknown;
      o?: unknown;
    };
    if (
      decoded.s === scope &&
      typeof decoded.o === "number" &&
      Number.isInteger(decoded.o) &&
      decoded.o >= 0
    ) {
      return decoded.o;
    }
  } catch {
    // fall through: AWS answers the same for garbage and for a token of another listing
  }
  throw validation("The pagination token is invalid", badInput);
}

/** Seconds since the epoch, as AWS JSON 1.1 sends timestamps. */
export function epochSeconds(date: Date = new Date()): number {
  return Math.floor(date.getTime() / 1000);
}
