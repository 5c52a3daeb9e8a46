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
