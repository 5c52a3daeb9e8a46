/**
 * Renders the audit report: a table for the terminal, JSON, CSV (RFC 4180, one row per user) and
 * Markdown (for a ticket or a pull request). Every format carries the same facts; the data is the
 * report, the renderers only lay it out.
 */
import { csvCell, markdownRow } from "../text/cells.js";
import type { AuditReport, ClassifiedUser } from "./model.js";

export const AuditFormat = { table: "table", json: "json", csv: "csv", markdown: "markdown" } as const;
export type AuditFormat = (typeof AuditFormat)[keyof typeof AuditFormat];

export function renderAuditReport(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case AuditFormat.json:
      return `${JSON.stringify(report, null, 2)}\n`;
    case AuditFormat.csv:
      return renderCsv(report);
    case AuditFormat.markdown:
      return renderMarkdown(report);
    case AuditFormat.table:
      return renderTable(report);
  }
}

/** The columns of the CSV, in order; list values are joined with "; ". */
export const csvColumns = [
  "account_id",
  "account_name",
  "user_name",
  "classification",
  "recommendation",
  "advice",
  "findings",
  "person",
  "person_status",
  "last_console_use",
  "last_key_use",
  "active_keys",
  "cloudtrail_events",
  "system_agents",
  "system_source_ips",
  "system_services",
  "groups",
  "policies",
  "evidence",
  "arn",
] as const;

function csvRow(user: ClassifiedUser): Record<(typeof csvColumns)[number], string> {
  return {
    account_id: user.accountId,
    account_name: user.accountName,
    user_name: user.userName,
    classification: user.classification,
    recommendation: user.recommendation,
    advice: user.advice,
    findings: user.findings.map((finding) => finding.message).join("; "),
    person: user.person?.email ?? "",
    person_status: user.person?.status ?? "",
    last_console_use: user.lastConsoleUse ?? "",
    last_key_use: user.lastKeyUse ?? "",
    active_keys: String(user.activeKeys),
    cloudtrail_events: user.cloudTrailEvents === undefined ? "" : String(user.cloudTrailEvents),
    system_agents: user.system?.agents.join("; ") ?? "",
    system_source_ips: user.system?.sourceIps.join("; ") ?? "",
    system_services: user.system?.services.join("; ") ?? "",
    groups: user.groups.join("; "),
    policies: user.policies.join("; "),
    evidence: user.evidence.join("; "),
    arn: user.arn,
  };
}

function renderCsv(report: AuditReport): string {
  const lines = [csvColumns.join(",")];
  for (const user of report.users) {
    const row = csvRow(user);
    lines.push(csvColumns.map((column) => csvCell(row[column])).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

function renderMarkdown(report: AuditReport): string {
  const out: string[] = [];
  out.push("# IAM user inventory", "");
  out.push(
    `Generated ${report.generatedAt}. Stale after ${report.staleDays} days. ${
      report.cloudTrailDays === undefined
        ? "CloudTrail not searched."
        : `CloudTrail searched over ${report.cloudTrailDays} days.`
    }`,
    "",
  );
  out.push(summaryLine(report), "");
  out.push("## Accounts", "", "| account | name | status | IAM users |", "|---|---|---|---|");
  for (const account of report.accounts)
    out.push(
      markdownRow([
        account.id,
        account.name,
        account.status === "read" ? "read" : `unreachable: ${account.reason ?? ""}`,
        String(account.users),
      ]),
    );
  out.push("", "## Users", "");
  out.push(
    "| account | user | class | recommendation | findings | person | evidence |",
    "|---|---|---|---|---|---|---|",
  );
  for (const user of report.users)
    out.push(
      markdownRow([
        `${user.accountId} (${user.accountName})`,
        user.userName,
        user.classification,
        `**${user.recommendation}**: ${user.advice}`,
        user.findings.map((finding) => finding.message).join("<br>"),
        user.person ? `${user.person.email} (${user.person.status})` : "",
        user.evidence.join("<br>"),
      ]),
    );
  return `${out.join("\n")}\n`;
}

function summaryLine(report: AuditReport): string {
  const { totals } = report;
  const unreachable = report.accounts.filter((account) => account.status === "unreachable").length;
  return [
    `${report.users.length} IAM users in ${report.accounts.length - unreachable} accounts`,
    `${totals.leavers} leavers`,
    `${totals.unused} unused (${totals.safeToRetire} safe to retire)`,
    `${totals.person} people`,
    `${totals.system} systems`,
    `${totals.unknown} unknown`,
    ...(unreachable > 0 ? [`${unreachable} accounts unreachable`] : []),
  ].join(", ");
}

function renderTable(report: AuditReport): string {
  const header = ["ACCOUNT", "USER", "CLASS", "RECOMMENDATION", "LAST USE", "FINDINGS", "PERSON"];
  const rows = report.users.map((user) => [
    user.accountName === user.accountId ? user.accountId : `${user.accountName} ${user.accountId}`,
    user.userName,
    user.classification,
    user.recommendation,
    lastUse(user),
    user.findings.map((finding) => finding.kind).join(","),
    user.person ? `${user.person.email} (${user.person.status})` : "",
  ]);
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index]!))
      .join("  ")
      .trimEnd();
  const out = [line(header), ...rows.map(line), ""];
  for (const account of report.accounts)
    if (account.status === "unreachable")
      out.push(`! ${account.id} (${account.name}) not audited: ${account.reason ?? "unknown reason"}`);
  out.push(summaryLine(report));
  return `${out.join("\n")}\n`;
}

function lastUse(user: ClassifiedUser): string {
  const dates = [user.lastConsoleUse, user.lastKeyUse].filter((date) => date !== undefined).sort();
  return dates.at(-1)?.slice(0, 10) ?? "never";
}
