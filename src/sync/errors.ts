/**
 * One error hierarchy for bugs and infrastructure failures. User mistakes (rules, flags, events) are
 * values, not throws. Callers branch on the class, never on message text; `cause` is always kept.
 */
export class SyncError extends Error {
  override name = "SyncError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The directory could not be read completely: the run must stop before planning any deletion. */
export class DirectoryReadError extends SyncError {
  override name = "DirectoryReadError";
}

/** Credentials or delegation are wrong: says what to check. */
export class ConfigurationError extends SyncError {
  override name = "ConfigurationError";
}

/** A state or snapshot file is missing, unreadable or corrupt. It is never overwritten. */
export class StateFileError extends SyncError {
  override name = "StateFileError";
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Identity Center could not be read. */
export class IdentityCenterReadError extends SyncError {
  override name = "IdentityCenterReadError";
}

/** One change did not happen; `reason` is AWS's own words where it gave any. */
export class ChangeFailedError extends SyncError {
  override name = "ChangeFailedError";
  constructor(
    message: string,
    readonly changeKey: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The run state could not be read or written. */
export class StateStoreError extends SyncError {
  override name = "StateStoreError";
}

/** Another run saved the run state since this run read it; this run's save was refused. */
export class StateConflictError extends StateStoreError {
  override name = "StateConflictError";
  constructor(
    message: string,
    readonly expectedRevision: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
