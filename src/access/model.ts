/**
 * The access report as data: who reaches which AWS account with which permission set, through which
 * Identity Center group (or a direct user assignment), which rule and which Google source. It is the
 * actual access in Identity Center, matched against what the rules want, so every piece of access is
 * either explained by a rule or marked as not explained. Renderers (HTML, markdown, CSV, JSON) and
 * `explain` read the same value.
 *
 * The report is normalised (people, principals, grants and memberships refer to each other by index) so
 * that a 50,000-person organisation stays a few megabytes; `accessPathsOf` joins them on demand.
 */
import type { AssignmentSource, PrincipalType, SelectorSource } from "../sync/model.js";

/**
 * How a piece of access (a grant, a membership, or a whole path) stands between the rules and
 * Identity Center.
 */
export const AccessStatus = {
  /** The rules grant it and Identity Center has it. */
  granted: "granted",
  /** The rules grant it; Identity Center does not have it yet: the next apply adds it. */
  pending: "pending",
  /** Identity Center has it and no rule grants it, inside what idc-sync manages: the next apply removes it. */
  unexplained: "unexplained",
  /**
   * Identity Center has it outside what idc-sync manages (a protected principal, a group the rules do
   * not name): no rule explains it, and idc-sync never touches it.
   */
  unmanaged: "unmanaged",
} as const;
export type AccessStatus = (typeof AccessStatus)[keyof typeof AccessStatus];

/** Statuses of access that exists in Identity Center now. */
export const actualStatuses: ReadonlySet<AccessStatus> = new Set([
  AccessStatus.granted,
  AccessStatus.unexplained,
  AccessStatus.unmanaged,
]);

/** Statuses of access the rules want. */
export const desiredStatuses: ReadonlySet<AccessStatus> = new Set([
  AccessStatus.granted,
  AccessStatus.pending,
]);

/**
 * Where a person stands with the rules as a whole: provisioned, or why not. Comes from the desired
 * state (`absences`) and the scope (protected, outside the domains), never from reason strings.
 */
export type PersonStanding =
  /** The rules give them an Identity Center user. */
  | { code: "provisioned" }
  | { code: "suspended" }
  | { code: "archived" }
  /** Named in `users.exclude` (`rule` is the entry). */
  | { code: "excluded"; rule: string }
  /** No group selects them and no rule assigns them, with `users.provision: mapped`. */
  | { code: "unmapped" }
  /** Named in `safety.protect.users`: idc-sync never creates, changes or deletes them. */
  | { code: "protected" }
  /** Their address is in none of the rules' `google.domains`: idc-sync leaves them alone. */
  | { code: "outsideDomains" }
  /** An Identity Center user in a managed domain that Google no longer has: a leaver still to delete. */
  | { code: "notInGoogle" }
  /**
   * Their Identity Center user belongs to another provisioner (SCIM: it carries ExternalIds, here from
   * `issuers`); with `users.externallyProvisioned: leave` idc-sync does not touch it.
   */
  | { code: "externallyProvisioned"; issuers: string[] };

export type PersonOrigin = "google" | "static" | "identityCenter";

export interface ReportPerson {
  /** Lower-case primary email (Google, static users) or Identity Center userName (people only there). */
  key: string;
  displayName: string;
  /** Other addresses (Google aliases; an old address Identity Center still uses). */
  aliases: string[];
  origin: PersonOrigin;
  orgUnitPath?: string;
  department?: string;
  title?: string;
  standing: PersonStanding;
  /** Their Identity Center userName, when they have a user there (may be an old address). */
  identityCenterUserName?: string;
}

export interface ReportAccount {
  id: string;
  /** Empty when the account is not in the organization (an assignment to an account since closed). */
  name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, or "unknown" for an account not in the organization. */
  status: string;
}

/**
 * `managed`: idc-sync reconciles it; `protected`: `safety.protect` names it; `unmanaged`: not in the
 * rules (for a user: outside the domains), so only reported.
 */
export type Management = "managed" | "protected" | "unmanaged";

/** An Identity Center group, or a user with direct assignments. */
export interface ReportPrincipal {
  type: PrincipalType;
  /** Group display name, or the person's key for a user. */
  name: string;
  management: Management;
  /** `groups[j]` for a group the rules define. */
  rule?: string;
  description?: string;
  /** False when Identity Center's member list of the group was not read: its members are unknown. */
  membersKnown: boolean;
  /** For a user principal: the index of the person in `people`. */
  person?: number;
}

/** One (principal, permission set, account) assignment. */
export interface ReportGrant {
  principal: number;
  account: number;
  permissionSet: number;
  status: AccessStatus;
  /** The rules that grant it (empty for unexplained and unmanaged). */
  sources: AssignmentSource[];
}

/** One person in one group. */
export interface ReportMembership {
  /** Index of a group principal. */
  group: number;
  person: number;
  status: AccessStatus;
  /** The selectors that put them in (empty for unexplained and unmanaged). */
  sources: SelectorSource[];
}

export interface AccessReport {
  /** The rules file, as given; with `ruleLines` it turns `groups[1].members[0]` into `rules.yaml:31`. */
  rulesFile: string;
  /** Line of every rule path the report mentions. */
  ruleLines: Record<string, number>;
  accounts: ReportAccount[];
  permissionSets: string[];
  people: ReportPerson[];
  principals: ReportPrincipal[];
  grants: ReportGrant[];
  memberships: ReportMembership[];
}

/** How one person reaches one account with one permission set. */
export interface AccessPath {
  person: number;
  account: number;
  permissionSet: number;
  /** Index of the principal: the group, or the person's own user principal for a direct assignment. */
  principal: number;
  status: AccessStatus;
  grant: ReportGrant;
  /** Absent for a direct user assignment. */
  membership?: ReportMembership;
}
