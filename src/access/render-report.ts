/**
 * The access report as markdown, CSV and JSON. Each renderer yields the document piece by piece: at
 * 50,000 people there are hundreds of thousands of paths, and the CLI writes them as they come rather
 * than build one string of tens of megabytes. The HTML page is `render-html.ts`.
 */

import { PrincipalType, type SelectorSource } from "../sync/model.js";
import { csvCell, markdownRow } from "../text/cells.js";
import type { AccessPath, AccessReport, AccessStatus, ReportMembership } from "./model.js";
import { allAccessPaths, indexAccess, summarizeAccess } from "./paths.js";
import {
  accountLabel,
  assignmentSourceText,
  describeSelector,
  ruleWithLine,
  statusLabels,
  statusWords,
} from "./words.js";

export const AccessFormat = { html: "html", markdown: "markdown", csv: "csv", json: "json" } as const;
export type AccessFormat = (typeof AccessFormat)[keyof typeof AccessFormat];

const statusOrder: AccessStatus[] = ["granted", "pending", "unexplained", "unmanaged"];

// ─── Markdown ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Markdown for a ticket, a wiki or a pull request: the summary, then what no rule explains (what a
 * security review reads first), then each account with its groups and permission sets, then people.
 */
export function* renderAccessMarkdown(report: AccessReport): Generator<string> {
  const index = indexAccess(report);
  const summary = summarizeAccess(report, index);
  yield "# Access report\n\n";
  yield `Rules: \`${report.rulesFile}\`. ${summary.peopleWithAccess} of ${summary.people} people have access to AWS accounts in Identity Center; ${summary.accounts} accounts.\n\n`;
  yield `Paths (person → account → permission set): ${statusOrder.map((status) => `${summary.paths[status]} ${statusLabels[status]}`).join(", ")}.\n\n`;
  yield* statusLegend();

  yield "## Access no rule explains\n\n";
  const unexplainedGrants = report.grants.filter((grant) => !isExplained(grant.status));
  const unexplainedMembers = report.memberships.filter((membership) => !isExplained(membership.status));
  if (unexplainedGrants.length === 0 && unexplainedMembers.length === 0) {
    yield "None: every assignment and membership in Identity Center is granted by a rule.\n\n";
  }
  if (unexplainedGrants.length > 0) {
    yield "| assigned to | permission set | account | status |\n|---|---|---|---|\n";
    for (const grant of unexplainedGrants) {
      yield `${markdownRow([
        principalLabel(report, grant.principal),
        report.permissionSets[grant.permissionSet]!,
        accountLabel(report.accounts[grant.account]!),
        statusLabels[grant.status],
      ])}\n`;
    }
    yield "\n";
  }
  if (unexplainedMembers.length > 0) {
    yield "| group | member | status |\n|---|---|---|\n";
    for (const membership of unexplainedMembers) {
      yield `${markdownRow([
        report.principals[membership.group]!.name,
        report.people[membership.person]!.key,
        statusLabels[membership.status],
      ])}\n`;
    }
    yield "\n";
  }

  yield "## Accounts\n\n";
  const grantsByAccount = new Map<number, typeof report.grants>();
  for (const grant of report.grants) {
    const list = grantsByAccount.get(grant.account) ?? [];
    list.push(grant);
    grantsByAccount.set(grant.account, list);
  }
  const membersOf = countMembers(report);
  for (const [accountIndex, account] of report.accounts.entries()) {
    const grants = grantsByAccount.get(accountIndex);
    if (grants === undefined) continue;
    yield `### ${accountLabel(account)}\n\n| group or user | permission set | status | rule | members |\n|---|---|---|---|---|\n`;
    for (const grant of [...grants].sort(
      (a, b) => a.principal - b.principal || a.permissionSet - b.permissionSet,
    )) {
      const principal = report.principals[grant.principal]!;
      yield `${markdownRow([
        principalLabel(report, grant.principal),
        report.permissionSets[grant.permissionSet]!,
        statusLabels[grant.status],
        grant.sources.map((source) => ruleWithLine(report, source.rule)).join(", "),
        principal.type === PrincipalType.user
          ? ""
          : principal.membersKnown
            ? String(membersOf.get(grant.principal) ?? 0)
            : "not read",
      ])}\n`;
    }
    yield "\n";
  }
  const unreached = report.accounts.filter((_, accountIndex) => !grantsByAccount.has(accountIndex));
  if (unreached.length > 0) yield `Nobody is assigned to: ${unreached.map(accountLabel).join(", ")}.\n\n`;

  yield "## People\n\n| person | standing | access |\n|---|---|---|\n";
  for (const [personIndex, person] of report.people.entries()) {
    const paths = index.pathsOf(personIndex);
    yield `${markdownRow([
      person.displayName === person.key ? person.key : `${person.displayName} <${person.key}>`,
      person.standing.code,
      paths.length === 0
        ? "none"
        : paths
            .map(
              (path) =>
                `${accountLabel(report.accounts[path.account]!)}: ${report.permissionSets[path.permissionSet]} ${viaText(report, path)}${path.status === "granted" ? "" : ` (${statusLabels[path.status]})`}`,
            )
            .join("<br>"),
    ])}\n`;
  }
}

function* statusLegend(): Generator<string> {
  for (const status of statusOrder) yield `- **${statusLabels[status]}**: ${statusWords[status]}.\n`;
  yield "\n";
}

// ─── CSV ────────────────────────────────────────────────────────────────────────────────────────────

export const accessCsvColumns = [
  "person",
  "display_name",
  "standing",
  "account_id",
  "account_name",
  "permission_set",
  "via",
  "group",
  "status",
  "membership_status",
  "assignment_status",
  "member_sources",
  "assignment_rules",
] as const;

/** One row per access path (RFC 4180); people with no access have no row. */
export function* renderAccessCsv(report: AccessReport): Generator<string> {
  yield `${accessCsvColumns.join(",")}\r\n`;
  for (const path of allAccessPaths(report)) {
    const person = report.people[path.person]!;
    const account = report.accounts[path.account]!;
    const principal = report.principals[path.principal]!;
    const row = [
      person.key,
      person.displayName,
      person.standing.code,
      account.id,
      account.name,
      report.permissionSets[path.permissionSet]!,
      principal.type === PrincipalType.group ? "group" : "user",
      principal.type === PrincipalType.group ? principal.name : "",
      path.status,
      path.membership?.status ?? "",
      path.grant.status,
      (path.membership?.sources ?? []).map(sourceText).join("; "),
      path.grant.sources.map(assignmentSourceText).join("; "),
    ];
    yield `${row.map(csvCell).join(",")}\r\n`;
  }
}

// ─── JSON ───────────────────────────────────────────────────────────────────────────────────────────

/**
 * One JSON document, names instead of indexes: people, groups, grants, memberships, and every path.
 * Large arrays are written an item per line.
 */
export function* renderAccessJson(report: AccessReport): Generator<string> {
  const index = indexAccess(report);
  yield "{\n";
  yield `  "rulesFile": ${JSON.stringify(report.rulesFile)},\n`;
  yield `  "summary": ${JSON.stringify(summarizeAccess(report, index))},\n`;
  yield* jsonArray("accounts", report.accounts);
  yield* jsonArray("permissionSets", report.permissionSets);
  yield* jsonArray(
    "people",
    report.people.map(({ key, ...person }) => ({ email: key, ...person })),
  );
  yield* jsonArray(
    "principals",
    report.principals.map(({ person: _person, ...principal }) => principal),
  );
  yield* jsonArray(
    "grants",
    report.grants.map((grant) => ({
      principalType: report.principals[grant.principal]!.type,
      principal: report.principals[grant.principal]!.name,
      permissionSet: report.permissionSets[grant.permissionSet],
      accountId: report.accounts[grant.account]!.id,
      accountName: report.accounts[grant.account]!.name,
      status: grant.status,
      rules: grant.sources.map((source) => ({ ...source, line: report.ruleLines[source.rule] })),
    })),
  );
  yield* jsonArray(
    "memberships",
    report.memberships.map((membership) => ({
      group: report.principals[membership.group]!.name,
      person: report.people[membership.person]!.key,
      status: membership.status,
      sources: withLines(report, membership),
    })),
  );
  yield* jsonArray(
    "paths",
    mapIterable(allAccessPaths(report, index), (path) => pathJson(report, path)),
    true,
  );
  yield "}\n";
}

/** A path with names, as `explain --json` and the report's JSON both give it. */
export function pathJson(report: AccessReport, path: AccessPath) {
  const principal = report.principals[path.principal]!;
  return {
    person: report.people[path.person]!.key,
    accountId: report.accounts[path.account]!.id,
    accountName: report.accounts[path.account]!.name,
    permissionSet: report.permissionSets[path.permissionSet]!,
    via: principal.type === PrincipalType.group ? "group" : "user",
    ...(principal.type === PrincipalType.group ? { group: principal.name } : {}),
    status: path.status,
    ...(path.membership ? { membershipStatus: path.membership.status } : {}),
    assignmentStatus: path.grant.status,
    memberSources: path.membership ? withLines(report, path.membership) : [],
    assignmentRules: path.grant.sources.map((source) => ({ ...source, line: report.ruleLines[source.rule] })),
  };
}

function* jsonArray(key: string, items: Iterable<unknown>, last = false): Generator<string> {
  yield `  ${JSON.stringify(key)}: [`;
  let first = true;
  for (const item of items) {
    yield `${first ? "\n" : ",\n"}    ${JSON.stringify(item)}`;
    first = false;
  }
  yield `${first ? "" : "\n  "}]${last ? "" : ","}\n`;
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of items) yield map(item);
}

function withLines(report: AccessReport, membership: ReportMembership) {
  return membership.sources.map((source) => ({ ...source, line: report.ruleLines[source.rule] }));
}

// ─── Shared ─────────────────────────────────────────────────────────────────────────────────────────

function isExplained(status: AccessStatus): boolean {
  return status === "granted" || status === "pending";
}

function principalLabel(report: AccessReport, principal: number): string {
  const found = report.principals[principal]!;
  const kind = found.type === PrincipalType.group ? "group" : "user";
  const note = found.management === "managed" ? "" : ` (${found.management})`;
  return `${kind} ${found.name}${note}`;
}

function viaText(report: AccessReport, path: AccessPath): string {
  const principal = report.principals[path.principal]!;
  return principal.type === PrincipalType.group ? `via ${principal.name}` : "directly";
}

function sourceText(source: SelectorSource): string {
  return `${source.rule} ${describeSelector(source)}`;
}

function countMembers(report: AccessReport): Map<number, number> {
  const counts = new Map<number, number>();
  for (const membership of report.memberships)
    if (membership.status !== "pending")
      counts.set(membership.group, (counts.get(membership.group) ?? 0) + 1);
  return counts;
}
