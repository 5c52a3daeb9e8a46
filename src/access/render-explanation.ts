/**
 * `explain` as text for a terminal, and as JSON. Pure: the explanation in, a string out.
 */

import type { AssignmentRuleVerdict, ExplainedPath, GroupVerdict, PersonExplanation } from "./explain.js";
import type { AccessReport, AccessStatus } from "./model.js";
import {
  accountLabel,
  assignmentSourceText,
  describeSelector,
  membershipWords,
  ruleWithLine,
  standingWords,
  statusLabels,
  statusWords,
} from "./words.js";

type Lines = Pick<AccessReport, "rulesFile" | "ruleLines">;

/** The explanation as text: who they are, their access paths, then every group and assignment rule. */
export function renderExplanationText(explanation: PersonExplanation, lines: Lines): string {
  const out: string[] = [];
  const { person } = explanation;
  const name = person.displayName !== person.key ? `${person.displayName} <${person.key}>` : person.key;
  out.push(name);
  if (person.aliases.length > 0) out.push(`  Aliases:         ${person.aliases.join(", ")}`);
  const google = explanation.google;
  if (google) {
    const facts = [
      google.suspended ? "suspended" : google.archived ? "archived" : "active",
      `org unit ${google.orgUnitPath}`,
      ...(google.department ? [`department ${google.department}`] : []),
      ...(google.title ? [`title ${google.title}`] : []),
    ];
    out.push(`  Google:          ${facts.join(" · ")}`);
  } else {
    out.push(
      `  Google:          ${person.origin === "static" ? "not in Google (a static user of the rules)" : "not in Google"}`,
    );
  }
  out.push(
    `  Identity Center: ${person.identityCenterUserName ? `user ${person.identityCenterUserName}` : "no user"}`,
  );
  out.push(`  Standing:        ${standingWords(explanation.standing)}`);
  if (explanation.account) out.push(`  Account:         ${accountLabel(explanation.account)} only`);

  out.push("", accessHeading(explanation.access));
  if (explanation.access.length === 0) {
    out.push(
      explanation.account
        ? "  No access to this account: Identity Center has none, and the rules grant none."
        : "  No access: Identity Center has none, and the rules grant none.",
    );
  }
  for (const path of explanation.access) out.push(...pathLines(path, lines));

  out.push("", "Groups, rule by rule");
  if (explanation.groups.length === 0) out.push("  The rules define no groups.");
  for (const verdict of explanation.groups) out.push(...groupLines(verdict, explanation, lines));

  out.push("", explanation.account ? "Assignment rules for this account" : "Assignment rules");
  if (explanation.assignmentRules.length === 0)
    out.push(
      explanation.account ? "  No assignment rule reaches this account." : "  The rules have no assignments.",
    );
  for (const verdict of explanation.assignmentRules) out.push(...assignmentLines(verdict, lines));
  return `${out.join("\n")}\n`;
}

function accessHeading(paths: ExplainedPath[]): string {
  const counts = new Map<AccessStatus, number>();
  for (const path of paths) counts.set(path.status, (counts.get(path.status) ?? 0) + 1);
  const parts = (["granted", "pending", "unexplained", "unmanaged"] as const)
    .filter((status) => counts.has(status))
    .map((status) => `${counts.get(status)} ${statusLabels[status]}`);
  return `Access: ${paths.length} path${paths.length === 1 ? "" : "s"}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}`;
}

function pathLines(path: ExplainedPath, lines: Lines): string[] {
  const via = path.via.type === "GROUP" ? `via group ${path.via.group}` : "assigned to the user directly";
  const out = [
    `  [${statusLabels[path.status]}] ${accountLabel(path.account)} · ${path.permissionSet} · ${via}`,
    `      ${statusWords[path.status]}`,
  ];
  if (path.via.type === "GROUP") {
    const sources = path.memberSources.map(
      (source) => `${ruleWithLine(lines, source.rule)} ${describeSelector(source)}`,
    );
    out.push(
      `      in ${path.via.group}: ${sources.length > 0 ? sources.join("; ") : membershipWords[path.membership ?? "unmanaged"]}`,
    );
  }
  const grants = path.grantSources.map((source) =>
    assignmentSourceText({ ...source, rule: ruleWithLine(lines, source.rule) }),
  );
  out.push(
    `      assignment: ${grants.length > 0 ? grants.join("; ") : path.grant === "unmanaged" ? "made outside idc-sync, which leaves it" : "no rule grants it"}`,
  );
  return out;
}

function groupLines(verdict: GroupVerdict, explanation: PersonExplanation, lines: Lines): string[] {
  const where = verdict.rule
    ? ruleWithLine(lines, verdict.rule)
    : verdict.management === "protected"
      ? "protected by safety.protect.groups"
      : "not in the rules";
  const state = membershipState(verdict, explanation);
  const out = [`  ${verdict.group} — ${where}: ${state}`];
  if (verdict.rule && verdict.management === "protected")
    out.push("      protected by safety.protect.groups: idc-sync never manages it");
  for (const selector of verdict.selectors) {
    const mark = selector.effect === "selects" ? "✓" : selector.effect === "excludes" ? "✗" : "·";
    const effect =
      selector.effect === "selects"
        ? "selects them"
        : selector.effect === "excludes"
          ? "excludes them"
          : explanation.rulesApply
            ? "no match"
            : "not applied to them";
    out.push(
      `      ${mark} ${ruleWithLine(lines, selector.source.rule)} ${describeSelector(selector.source)} — ${selector.observed}: ${effect}`,
    );
  }
  return out;
}

function membershipState(verdict: GroupVerdict, explanation: PersonExplanation): string {
  if (verdict.membership !== undefined) return membershipWords[verdict.membership];
  if (!verdict.membersKnown) return "not a member by the rules; Identity Center's member list was not read";
  if (verdict.selectors.some((selector) => selector.effect === "excludes")) return "not a member: excluded";
  if (!explanation.rulesApply) return "not a member: the rules are not applied to this person";
  return "not a member: no selector matches";
}

function assignmentLines(verdict: AssignmentRuleVerdict, lines: Lines): string[] {
  const principals = [
    ...verdict.groups.map((group) => `group ${group.name}`),
    ...verdict.users.map((user) => `user ${user.name}`),
  ];
  const accounts =
    verdict.accounts.length === 0
      ? "no account"
      : verdict.accounts.length <= 3
        ? verdict.accounts.map(accountLabel).join(", ")
        : `${verdict.accounts.length} accounts`;
  const out = [
    `  ${ruleWithLine(lines, verdict.rule)}: ${verdict.permissionSets.join(", ")} in ${verdict.accountReferences.join(", ")} → ${accounts}`,
    `      for ${principals.join(", ")}`,
  ];
  const memberOf = verdict.groups.filter((group) => group.membership !== undefined);
  const named = verdict.users.filter((user) => user.isPerson);
  if (memberOf.length === 0 && named.length === 0) {
    out.push("      gives them nothing: they are in none of these groups and not named");
  }
  for (const group of memberOf) out.push(`      ${group.name}: ${membershipWords[group.membership!]}`);
  for (const user of named) out.push(`      names them directly (${user.name})`);
  for (const path of verdict.paths)
    out.push(
      `      → [${statusLabels[path.status]}] ${accountLabel(path.account)} · ${path.permissionSet}${path.via.type === "GROUP" ? ` via ${path.via.group}` : " directly"}`,
    );
  return out;
}

/** The explanation as a JSON value, with the rules file and the line of every rule path. */
export function explanationJson(explanation: PersonExplanation, lines: Lines) {
  return { rulesFile: lines.rulesFile, ruleLines: lines.ruleLines, ...explanation };
}
