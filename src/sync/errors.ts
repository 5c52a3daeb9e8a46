/**
 * One error hierarchy for bugs and infrastructure failures. User mistakes (rules, flags, events) are
 * values, not throws. Callers branch on the class or on `kind`, never on message text; `cause` is
 * always kept. Adapters' own errors (src/adapters/errors.ts) extend these.
 */

/**
 * What kind of failure stopped a run, for whoever branches on it (the CLI's exit code, the Lambda's
 * log): each kind says who can fix it.
 */
export const FailureKind = {
  /** The person running idc-sync gave something unusable (a file that is not a snapshot, a bad flag). */
  user: "user",
  /** Credentials, delegation, a secret or a setting are wrong: retrying will not help until fixed. */
  configuration: "configuration",
  /** An outside system (Google, AWS, Slack, the run state, a lock held by another run) did not answer. */
  unavailable: "unavailable",
  /** A change was refused or failed half-way. */
  changeFailed: "changeFailed",
  /** A bug in idc-sync: something it should never do. */
  internal: "internal",
} as const;
export type FailureKind = (typeof FailureKind)[keyof typeof FailureKind];

export class SyncError extends Error {
  override name = "SyncError";
  /** The kind a subclass stands for; a bare SyncError is a bug unless its thrower says otherwise. */
  static readonly defaultKind: FailureKind = FailureKind.internal;
  readonly kind: FailureKind;
  constructor(message: string, options?: { cause?: unknown; kind?: FailureKind }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = options?.kind ?? (new.target as typeof SyncError).defaultKind;
  }
}

/** The directory could not be read completely: the run must stop before planning any deletion. */
export class DirectoryReadError extends SyncError {
  override name = "DirectoryReadError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
}

/** Credentials or delegation are wrong: says what to check. */
export class ConfigurationError extends SyncError {
  override name = "ConfigurationError";
  static override readonly defaultKind: FailureKind = FailureKind.configuration;
}

/** A state or snapshot file is missing, unreadable or corrupt. It is never overwritten. */
export class StateFileError extends SyncError {
  override name = "StateFileError";
  static override readonly defaultKind: FailureKind = FailureKind.user;
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown; kind?: FailureKind },
  ) {
    super(message, options);
  }
}

/** Identity Center could not be read. */
export class IdentityCenterReadError extends SyncError {
  override name = "IdentityCenterReadError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
}

/** One change did not happen; `reason` is AWS's own words where it gave any. */
export class ChangeFailedError extends SyncError {
  override name = "ChangeFailedError";
  static override readonly defaultKind: FailureKind = FailureKind.changeFailed;
  constructor(
    message: string,
    readonly changeKey: string,
    options?: { cause?: unknown; kind?: FailureKind },
  ) {
    super(message, options);
  }
}

/** The run state could not be read or written. */
export class StateStoreError extends SyncError {
  override name = "StateStoreError";
  static override readonly defaultKind: FailureKind = FailureKind.unavailable;
}

/** Another run saved the run state since this run read it; this run's save was refused. */
export class StateConflictError extends StateStoreError {
  override name = "StateConflictError";
  constructor(
    message: string,
    readonly expectedRevision: string | undefined,
    options?: { cause?: unknown; kind?: FailureKind },
  ) {
    super(message, options);
  }
}
