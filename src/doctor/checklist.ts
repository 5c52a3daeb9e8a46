/**
 * `idc-sync doctor`'s verdict, as plain data: one entry per check made against the APIs (passed, failed
 * with the fix, a note, or not made), then the settings no API reads, which a person checks in the
 * console. Pure: the probes (probes.ts) fill in the checks; this renders them and picks the exit code.
 */
import { ExitCode } from "../cli/exit-codes.js";

export const CheckStatus = {
  passed: "passed",
  failed: "failed",
  /** Works, with something worth knowing (a delegated administrator's limits). */
  note: "note",
  /** Not made: nothing to check it against (a snapshot file instead of the live system). */
  skipped: "skipped",
} as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/**
 * Why a check failed, for the exit code: the configuration is wrong (credentials, rights, region, ids), or
 * the service could not be reached or is not ready (throttling, an outage, an instance being created).
 */
export const FailureCause = { configuration: "configuration", unavailable: "unavailable" } as const;
export type FailureCause = (typeof FailureCause)[keyof typeof FailureCause];

export interface CheckResult {
  /** What was checked, e.g. "identitystore:ListUsers". */
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** For a failure or a note: what to do. */
  fix?: string;
  /** For a failure. */
  cause?: FailureCause;
}

export const passed = (name: string, detail: string): CheckResult => ({
  name,
  status: CheckStatus.passed,
  detail,
});
export const failed = (name: string, detail: string, fix: string, cause: FailureCause): CheckResult => ({
  name,
  status: CheckStatus.failed,
  detail,
  fix,
  cause,
});
export const noted = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: CheckStatus.note,
  detail,
  fix,
});
export const skipped = (name: string, detail: string): CheckResult => ({
  name,
  status: CheckStatus.skipped,
  detail,
});

/** A setting that only the console shows: where it is and why it matters. */
export interface ManualCheck {
  setting: string;
  why: string;
}

/**
 * The console settings of IAM Identity Center no API reads or writes. The first is the trap: AWS user
 * guide, "Email one-time password to users created with API" (singlesignon/latest/userguide/
 * userswithoutpwd.html): "When you create users with the CreateUser API operation, they don't have
 * passwords ... If you don't enable this setting, you must generate a one-time password and share it with
 * users that you create using the CreateUser API."
 */
export const manualChecks: readonly ManualCheck[] = [
  {
    setting: 'Settings > Authentication > Standard authentication > Configure: "Send email OTP" is Enabled',
    why: "users idc-sync creates through the API have no password and get no invitation e-mail; with it, they receive a one-time password by e-mail when they first try to sign in (tell them the AWS access portal URL). Without it, an administrator must generate and hand out a one-time password for each of them",
  },
  {
    setting: "Settings > Identity source: Identity Center directory",
    why: "the e-mail one-time password applies to users of the Identity Center directory; with an external identity provider or Active Directory, people sign in there, under the same user name idc-sync gives them",
  },
  {
    setting: "Settings > Identity source: the AWS access portal URL",
    why: "new users need it to sign in the first time; send it with your onboarding",
  },
  {
    setting: "Settings > Authentication > Multi-factor authentication",
    why: "whether MFA is required at every sign-in, which MFA types are allowed, and what happens to a user without an MFA device (have them register one at sign-in)",
  },
  {
    setting: "Settings > Authentication > Session settings: the AWS access portal session duration",
    why: "how long a portal sign-in lasts (the permission sets' sessionDuration in the rules is how long each role session lasts)",
  },
  {
    setting: "Settings > Management: the delegated administrator account",
    why: "where idc-sync should run; a delegated administrator cannot assign access in the management account",
  },
];

export interface DoctorReport {
  checks: CheckResult[];
  manual: readonly ManualCheck[];
}

/**
 * The exit code: 0 when nothing failed; 78 (EX_CONFIG, sysexits.h) when something is configured wrong;
 * 69 (EX_UNAVAILABLE) when the only failures are services that could not be reached or are not ready.
 */
export function doctorExitCode(checks: readonly CheckResult[]): number {
  const failures = checks.filter((check) => check.status === CheckStatus.failed);
  if (failures.length === 0) return ExitCode.ok;
  return failures.some((check) => check.cause === FailureCause.configuration)
    ? ExitCode.configuration
    : ExitCode.unavailable;
}

const marks: Record<CheckStatus, string> = { passed: "✓", failed: "✗", note: "!", skipped: "-" };

/** The checklist as a person reads it. */
export function renderDoctorReport(report: DoctorReport): string {
  const lines: string[] = ["Checked through the APIs:", ""];
  for (const check of report.checks) {
    lines.push(`${marks[check.status]} ${check.name}: ${check.detail}`);
    if (check.fix) lines.push(`    ${check.status === CheckStatus.failed ? "fix" : "note"}: ${check.fix}`);
  }
  const failures = report.checks.filter((check) => check.status === CheckStatus.failed).length;
  lines.push(
    "",
    failures === 0
      ? "Every check passed. Writes were not tried: a write the credentials may not make shows as a failed change in the first apply."
      : `${failures} check${failures === 1 ? "" : "s"} failed; plan and apply will not work until ${failures === 1 ? "it is" : "they are"} fixed.`,
    "",
    "Check by hand in the IAM Identity Center console (no API reads these):",
    "",
  );
  for (const check of report.manual) lines.push(`[ ] ${check.setting}`, `    ${check.why}`);
  return `${lines.join("\n")}\n`;
}
