/**
 * Exit codes of `idc-sync`, documented in `--help` and the README. A failure's code follows its kind
 * (`FailureKind`, src/sync/errors.ts), after the BSD sysexits convention where one fits.
 */
import { FailureKind, SyncError } from "../sync/errors.js";

export const ExitCode = {
  /** Success; for `plan --detailed-exitcode`: in sync, nothing to do. */
  ok: 0,
  /** A change failed (the report says which), or the audit could not enter an account. */
  failed: 1,
  /** `plan --detailed-exitcode` only: changes are pending. */
  changesPending: 2,
  /** A safety guard stopped the run before anything changed. */
  stoppedByGuard: 3,
  /** Bad usage, invalid rules, or a file given that is not what it should be (every problem is printed). */
  usage: 64,
  /** EX_UNAVAILABLE: Google, AWS, the run state or a file could not be reached, read or written; or another run holds the lock. */
  unavailable: 69,
  /** EX_SOFTWARE: a bug in idc-sync. */
  internal: 70,
  /** EX_CONFIG: credentials, delegation, a secret or a setting is wrong. */
  configuration: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const exitCodeOfKind: Record<FailureKind, ExitCode> = {
  [FailureKind.user]: ExitCode.usage,
  [FailureKind.configuration]: ExitCode.configuration,
  [FailureKind.unavailable]: ExitCode.unavailable,
  [FailureKind.changeFailed]: ExitCode.failed,
  [FailureKind.internal]: ExitCode.internal,
};

/**
 * The exit code of a run that threw. Ours carry their kind; Node's own I/O errors (a file that cannot
 * be written: `code` and `syscall` set) are an outside system unavailable; anything else is a bug.
 */
export function exitCodeForFailure(error: unknown): ExitCode {
  if (error instanceof SyncError) return exitCodeOfKind[error.kind];
  if (isSystemError(error)) return ExitCode.unavailable;
  return ExitCode.internal;
}

function isSystemError(error: unknown): boolean {
  return (
    error instanceof Error &&
    typeof (error as NodeJS.ErrnoException).code === "string" &&
    typeof (error as NodeJS.ErrnoException).syscall === "string"
  );
}

export const exitCodeHelp = `
Exit codes:
  0   success (plan --detailed-exitcode: no changes)
  1   a change failed (the report says which), or the audit could not enter an account
  2   plan --detailed-exitcode: changes are pending
  3   stopped by a safety guard; nothing was applied (see --allow-deletions)
  64  bad usage, invalid rules, or a snapshot/state file that is not one; nothing was applied
  69  Google, AWS, the run state or a file could not be reached, read or written, or another run
      holds the lock; nothing was applied that the output does not report
  70  a bug in idc-sync (set IDC_SYNC_DEBUG=1 for the stack trace)
  78  configuration: credentials, delegation, a secret or a setting is wrong
  (doctor: 0 all good, 69 a service unreachable or not ready, 78 something configured wrong)`;
