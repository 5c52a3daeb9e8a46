/**
 * The adapters' errors, in one place: each extends the core's `SyncError` family (src/sync/errors.ts)
 * with the kind of failure it is, or is a transport-level error the retry loops recognise by name and
 * code (`DeadlineExceededError`), so callers branch on the class, never on message text.
 */
import { FailureKind, SyncError } from "../sync/errors.js";

/** Another run holds the lock: this run stopped before reading or changing anything. */
export class FileLockedError extends SyncError {
  override name = "FileLockedError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The deadline of an HTTP exchange passed. Named and coded like Node's own timeouts, so retries see one. */
export class DeadlineExceededError extends Error {
  override name = "TimeoutError";
  readonly code = "ETIMEDOUT";
}

/** A 2xx answer that is not what the API sends (an HTML page, an empty body, a JSON string). */
export class MalformedResponseError extends Error {
  override name = "MalformedResponseError";
}

/** Access Analyzer could not be asked (no credentials, no permission, unreachable). */
export class PolicyValidationError extends SyncError {
  override name = "PolicyValidationError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
}

/** Organizations could not be read completely: planning on a partial account list would drop assignments. */
export class AccountDirectoryReadError extends SyncError {
  override name = "AccountDirectoryReadError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
}

/** Thrown when Google refuses a step of the keyless chain for a reason retrying cannot fix. */
export class KeylessGoogleError extends Error {
  override name = "KeylessGoogleError";
}

/** The credential report never became ready, or IAM refused it. */
export class CredentialReportError extends SyncError {
  override name = "CredentialReportError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
}

/** The audit could not start: without the caller's own account it cannot tell which roles to assume. */
export class IamInventoryReadError extends SyncError {
  override name = "IamInventoryReadError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
}
