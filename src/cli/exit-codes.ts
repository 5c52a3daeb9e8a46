/** Exit codes of `idc-sync`, documented in `--help` and the README. */
export const ExitCode = {
  /** Success; for `plan --detailed-exitcode`: in sync, nothing to do. */
  ok: 0,
  /** A change failed, or the run could not read what it needed (nothing was applied then). */
  failed: 1,
  /** `plan --detailed-exitcode` only: changes are pending. */
  changesPending: 2,
  /** A safety guard stopped the run before anything changed. */
  stoppedByGuard: 3,
  /** Bad usage, or the rules are wrong (every problem is printed). */
  usage: 64,
  /** `doctor`: a service could not be reached or is not ready (EX_UNAVAILABLE). */
  unavailable: 69,
  /** `doctor`: something is configured wrong: credentials, rights, region, ids (EX_CONFIG). */
  configuration: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp = `
Exit codes:
  0   success (plan --detailed-exitcode: no changes)
  1   a change failed, or a read failed before anything was applied
  2   plan --detailed-exitcode: changes are pending
  3   stopped by a safety guard; nothing was applied (see --allow-deletions)
  64  bad usage or invalid rules; nothing was applied
  69  doctor: a service could not be reached or is not ready
  78  doctor: something is configured wrong (credentials, rights, region, ids)`;
