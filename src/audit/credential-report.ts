/**
 * The IAM credential report: a CSV with one row per IAM user (and one for the root account). Parsed
 * with a real CSV parser because user names and ARNs may one day hold characters a split on commas
 * would break on; columns are found by header name, so AWS adding columns changes nothing here.
 */
import { parse } from "csv-parse/sync";
import type { CredentialReportEntry } from "./model.js";

/** The root account's row; it is not an IAM user and is left out of the inventory. */
export const rootAccountRow = "<root_account>";

/** A credential report that cannot be read as one (missing columns, not CSV). */
export class CredentialReportFormatError extends Error {
  override name = "CredentialReportFormatError";
}

const requiredColumns = ["user", "arn", "password_enabled", "password_last_used", "mfa_active"] as const;

/** Parses the report's CSV text into one entry per IAM user, root excluded. */
export function parseCredentialReport(csv: string): CredentialReportEntry[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (error) {
    throw new CredentialReportFormatError(
      `the credential report is not valid CSV: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const first = rows[0];
  if (first) {
    const missing = requiredColumns.filter((column) => !(column in first));
    if (missing.length > 0)
      throw new CredentialReportFormatError(`the credential report has no ${missing.join(", ")} column`);
  }
  return rows
    .filter((row) => row.user !== rootAccountRow)
    .map((row) => {
      const passwordLastUsed = reportDate(row.password_last_used);
      return {
        user: row.user ?? "",
        arn: row.arn ?? "",
        passwordEnabled: row.password_enabled === "true",
        ...(passwordLastUsed ? { passwordLastUsed } : {}),
        mfaActive: row.mfa_active === "true",
      };
    });
}

/** "N/A", "no_information" and "not_supported" mean no date. */
function reportDate(value: string | undefined): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** What the audit read live about one user, beside the credential report. */
export interface LiveCredentialReads {
  /** ListUsers' `PasswordLastUsed`: read now. */
  passwordLastUsed: Date | undefined;
  /** ListMFADevices: the devices assigned now. */
  mfaDevices: readonly string[];
}

/**
 * A user's console and MFA facts, the live reads first. IAM hands out the same credential report for
 * four hours ("IAM first checks whether a report for the AWS account has been generated within the past
 * four hours. If so, the most recent report is downloaded", IAM User Guide, "Getting credential
 * reports"), so its row can be older than what ListUsers and ListMFADevices said a moment ago:
 * - MFA is active when a device is assigned now; the report's `mfa_active` is not asked.
 * - The password was last used at the later of the two dates.
 * - A password is enabled when the report says so, or when it was used after the report was generated
 *   (or the user has no row: created since). A password removed since the report still reads as enabled
 *   until IAM makes a new report: no call the audit makes reads the password itself.
 */
export function currentCredentials(
  entry: CredentialReportEntry | undefined,
  reportGeneratedAt: Date | undefined,
  live: LiveCredentialReads,
): { passwordEnabled: boolean; passwordLastUsed?: Date; mfaActive: boolean } {
  const passwordLastUsed = latest(live.passwordLastUsed, entry?.passwordLastUsed);
  const usedSinceReport =
    live.passwordLastUsed !== undefined &&
    (entry === undefined || (reportGeneratedAt !== undefined && live.passwordLastUsed > reportGeneratedAt));
  return {
    passwordEnabled: entry?.passwordEnabled === true || usedSinceReport,
    ...(passwordLastUsed ? { passwordLastUsed } : {}),
    mfaActive: live.mfaDevices.length > 0,
  };
}

function latest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}
