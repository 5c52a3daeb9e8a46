/**
 * The words every renderer of access uses (text, markdown, CSV, HTML), so `explain` and the report say
 * the same thing the same way.
 */
import type { AssignmentSource, SelectorSource } from "../sync/model.js";
import type { AccessReport, AccessStatus, PersonStanding, ReportAccount } from "./model.js";

/** `name (id)`, or the id alone for an account the organization does not list. */
export function accountLabel(account: ReportAccount): string {
  return account.name === "" ? `${account.id} (not in the organization)` : `${account.name} (${account.id})`;
}

/** What a selector selects: "orgUnit /Engineering and sub-units", "Google group a@example.com". */
export function describeSelector(source: SelectorSource): string {
  switch (source.kind) {
    case "orgUnit":
      return `orgUnit ${source.orgUnit}${source.recursive && source.orgUnit !== "/" ? " and sub-units" : ""}`;
    case "googleGroup":
      return `Google group ${source.googleGroup}`;
    case "where":
      return `where ${Object.entries(source.where)
        .map(([key, value]) => `${key}=${value}`)
        .join(", ")}`;
    case "user":
      return `user ${source.user}`;
    case "static":
      return `static user ${source.email}`;
  }
}

/** `groups[1].members[0] (rules.yaml:31)`; the path alone when its line is not known. */
export function ruleWithLine(report: Pick<AccessReport, "rulesFile" | "ruleLines">, rule: string): string {
  const line = report.ruleLines[rule];
  return line === undefined ? rule : `${rule} (${report.rulesFile}:${line})`;
}

/** "groups[1].members[0] orgUnit /Engineering and sub-units". */
export function selectorWithRule(source: SelectorSource): string {
  return `${source.rule} ${describeSelector(source)}`;
}

/** "assignments[1] via core-dev". */
export function assignmentSourceText(source: AssignmentSource): string {
  return `${source.rule} via accounts ${source.accounts}`;
}

export const statusWords: Record<AccessStatus, string> = {
  granted: "granted by the rules",
  pending: "granted by the rules, not yet in Identity Center: the next apply adds it",
  unexplained: "in Identity Center, but no rule grants it: the next apply removes it",
  unmanaged: "in Identity Center outside what idc-sync manages: no rule explains it, and idc-sync leaves it",
};

/** The same statuses said of a group membership. */
export const membershipWords: Record<AccessStatus, string> = {
  granted: "member, by the rules and in Identity Center",
  pending: "member by the rules, not yet in Identity Center: the next apply adds them",
  unexplained: "member in Identity Center, but no rule puts them in it: the next apply removes them",
  unmanaged: "member in Identity Center; idc-sync does not manage this membership",
};

/** One word for tables and CSV. */
export const statusLabels: Record<AccessStatus, string> = {
  granted: "granted",
  pending: "pending",
  unexplained: "not explained",
  unmanaged: "unmanaged",
};

export function standingWords(standing: PersonStanding): string {
  switch (standing.code) {
    case "provisioned":
      return "provisioned: the rules give them an Identity Center user";
    case "suspended":
      return "suspended in Google: the rules give them nothing";
    case "archived":
      return "archived in Google: the rules give them nothing";
    case "excluded":
      return `excluded by ${standing.rule}: the rules give them nothing`;
    case "unmapped":
      return "in no mapped group and assigned by no rule (users.provision: mapped): the rules give them nothing";
    case "protected":
      return "protected by safety.protect.users: idc-sync never creates, changes or deletes them";
    case "outsideDomains":
      return "outside the managed Google domains: idc-sync leaves them alone";
    case "notInGoogle":
      return "not in Google (a leaver): the next apply deletes their Identity Center user";
    case "externallyProvisioned":
      return `provisioned by another provisioner (${standing.issuers.join(", ") || "SCIM"}): idc-sync leaves their user, memberships and assignments alone (users.externallyProvisioned: leave)`;
  }
}
