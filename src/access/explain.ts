/**
 * `explain`: every path by which one person has, or does not have, access, rule by rule. Built on the
 * access report (so the two always agree) plus the rules and the directory, which say what each
 * selector looked at. Which selectors matched comes from the desired state's provenance; this module
 * only describes what the person's attributes are next to each selector, it never re-decides.
 */
import { distance } from "fastest-levenshtein";
import { selectorSourceOf } from "../mapping/index.js";
import { compareStrings as compare } from "../sync/keys.js";
import {
  type AssignmentSource,
  type Directory,
  type DirectoryUser,
  PrincipalType,
  type SelectorSource,
} from "../sync/model.js";
import { userKey } from "../sync/scope.js";
import type { AccessInputs } from "./build-report.js";
import type {
  AccessPath,
  AccessReport,
  AccessStatus,
  Management,
  PersonStanding,
  ReportAccount,
  ReportPerson,
} from "./model.js";
import { type AccessIndex, indexAccess } from "./paths.js";

/** One path, with everything named rather than indexed. */
export interface ExplainedPath {
  account: ReportAccount;
  permissionSet: string;
  /** The group, or the person's own user for a direct assignment. */
  via: { type: "GROUP"; group: string; management: Management } | { type: "USER"; userName: string };
  status: AccessStatus;
  /** Status of the membership link (groups only). */
  membership?: AccessStatus;
  /** Status of the assignment link. */
  grant: AccessStatus;
  /** The selectors that put the person in the group (empty when no rule does). */
  memberSources: SelectorSource[];
  /** The rules that grant the assignment (empty when no rule does). */
  grantSources: AssignmentSource[];
}

/** What one selector of a group did for the person, and the attribute it looked at. */
export interface SelectorVerdict {
  source: SelectorSource;
  /** `selects`: a `members` selector that matched; `excludes`: an `exclude` selector that matched. */
  effect: "selects" | "excludes" | "none";
  /** The person's side: "org unit /Engineering", "not in aws-admins@example.com", "department Sales". */
  observed: string;
}

/** The person and one group: rules groups in rules order, then other Identity Center groups they are in. */
export interface GroupVerdict {
  group: string;
  rule?: string;
  management: Management;
  /** The person's membership, or undefined when neither the rules nor Identity Center have them in it. */
  membership?: AccessStatus;
  /** False when Identity Center's member list of this group was not read. */
  membersKnown: boolean;
  /** The group's selectors (`members`, then `exclude`), for groups the rules define. */
  selectors: SelectorVerdict[];
}

/** The person and one assignment rule. */
export interface AssignmentRuleVerdict {
  rule: string;
  groups: { name: string; membership?: AccessStatus }[];
  /** Users the rule assigns directly; `isPerson` when it names this person. */
  users: { name: string; isPerson: boolean }[];
  permissionSets: string[];
  /** The account references the rule lists (set names or ids) and the accounts they reach now. */
  accountReferences: string[];
  accounts: ReportAccount[];
  /** The person's paths this rule grants (with their status). */
  paths: ExplainedPath[];
}

export interface PersonExplanation {
  query: string;
  person: ReportPerson;
  /** The account asked about (`--account`): paths and rules are limited to it. */
  account?: ReportAccount;
  standing: PersonStanding;
  /**
   * False when the rules are not applied to this person at all (suspended, archived, excluded,
   * protected, outside the domains, not in Google): no selector can select them, whatever it says.
   */
  rulesApply: boolean;
  /** Google attributes the selectors look at; absent for people not in Google. */
  google?: {
    orgUnitPath: string;
    department?: string;
    costCenter?: string;
    title?: string;
    employeeId?: string;
    suspended: boolean;
    archived: boolean;
  };
  access: ExplainedPath[];
  groups: GroupVerdict[];
  assignmentRules: AssignmentRuleVerdict[];
}

export type ExplainResult =
  | { ok: true; explanation: PersonExplanation }
  /** Nobody in Google, the static users or Identity Center has that address. */
  | { ok: false; reason: "unknownPerson"; query: string; suggestions: string[] }
  | { ok: false; reason: "unknownAccount"; query: string; suggestions: string[] };

export interface ExplainRequest {
  /** An email address: primary, alias, or an Identity Center userName. */
  person: string;
  /** An account id or name. */
  account?: string;
}

/**
 * Explains one person's access. `report` must have been built from the same `inputs`
 * (`buildAccessReport(inputs)`); it is a parameter so the CLI and tests build it once.
 */
export function explainAccess(
  inputs: Pick<AccessInputs, "rules" | "directory" | "desired">,
  report: AccessReport,
  request: ExplainRequest,
  index: AccessIndex = indexAccess(report),
): ExplainResult {
  const personIndex = findPerson(report, request.person);
  if (personIndex === undefined)
    return {
      ok: false,
      reason: "unknownPerson",
      query: request.person,
      suggestions: closest(
        request.person.toLowerCase(),
        report.people.flatMap((person) => [person.key, ...person.aliases]),
      ),
    };
  let accountIndex: number | undefined;
  if (request.account !== undefined) {
    accountIndex = findAccount(report, request.account);
    if (accountIndex === undefined)
      return {
        ok: false,
        reason: "unknownAccount",
        query: request.account,
        suggestions: closest(
          request.account.toLowerCase(),
          report.accounts.flatMap((account) => [account.id, account.name.toLowerCase()]),
        ),
      };
  }

  const person = report.people[personIndex]!;
  const inAccount = (path: { account: number }) =>
    accountIndex === undefined || path.account === accountIndex;
  const named = (path: AccessPath) => namePath(report, path);
  const paths = index.pathsOf(personIndex).filter(inAccount);
  const directoryUser = findDirectoryUser(inputs.directory, person);

  const membershipOf = new Map<number, AccessStatus>();
  for (const membership of index.membershipsOf(personIndex))
    membershipOf.set(membership.group, membership.status);
  const groupIndexByName = new Map<string, number>();
  report.principals.forEach((principal, position) => {
    if (principal.type === PrincipalType.group) groupIndexByName.set(principal.name, position);
  });

  return {
    ok: true,
    explanation: {
      query: request.person,
      person,
      ...(accountIndex === undefined ? {} : { account: report.accounts[accountIndex]! }),
      standing: person.standing,
      // Another provisioner's user is still evaluated by the rules; idc-sync just does not act on it.
      rulesApply: ["provisioned", "unmapped", "externallyProvisioned"].includes(person.standing.code),
      ...(directoryUser === undefined
        ? {}
        : {
            google: {
              orgUnitPath: directoryUser.orgUnitPath,
              ...(directoryUser.department ? { department: directoryUser.department } : {}),
              ...(directoryUser.costCenter ? { costCenter: directoryUser.costCenter } : {}),
              ...(directoryUser.title ? { title: directoryUser.title } : {}),
              ...(directoryUser.employeeId ? { employeeId: directoryUser.employeeId } : {}),
              suspended: directoryUser.suspended,
              archived: directoryUser.archived,
            },
          }),
      access: paths.map(named),
      groups: groupVerdicts(inputs, report, person, directoryUser, membershipOf, groupIndexByName),
      assignmentRules: assignmentRuleVerdicts(inputs, report, person, paths, membershipOf, groupIndexByName)
        .map((verdict) => ({ ...verdict, paths: verdict.paths.map(named) }))
        .filter(
          (verdict) =>
            accountIndex === undefined ||
            verdict.accounts.some((account) => account.id === report.accounts[accountIndex!]!.id),
        )
        .map((verdict) => ({
          ...verdict,
          accounts: verdict.accounts.filter(
            (account) => accountIndex === undefined || account.id === report.accounts[accountIndex]!.id,
          ),
        })),
    },
  };
}

/** The person an address belongs to: primary, alias or Identity Center userName, any case. */
export function findPerson(report: AccessReport, address: string): number | undefined {
  const wanted = userKey(address.trim());
  let byAlias: number | undefined;
  for (let index = 0; index < report.people.length; index += 1) {
    const person = report.people[index]!;
    if (person.key === wanted) return index;
    if (
      byAlias === undefined &&
      (person.aliases.includes(wanted) || userKey(person.identityCenterUserName ?? "") === wanted)
    )
      byAlias = index;
  }
  return byAlias;
}

/** An account by id, or by name (any case). */
export function findAccount(report: AccessReport, idOrName: string): number | undefined {
  const wanted = idOrName.trim();
  const byId = report.accounts.findIndex((account) => account.id === wanted);
  if (byId >= 0) return byId;
  const byName = report.accounts.findIndex((account) => account.name.toLowerCase() === wanted.toLowerCase());
  return byName >= 0 ? byName : undefined;
}

function namePath(report: AccessReport, path: AccessPath): ExplainedPath {
  const principal = report.principals[path.principal]!;
  return {
    account: report.accounts[path.account]!,
    permissionSet: report.permissionSets[path.permissionSet]!,
    via:
      principal.type === PrincipalType.group
        ? { type: "GROUP", group: principal.name, management: principal.management }
        : { type: "USER", userName: principal.name },
    status: path.status,
    ...(path.membership ? { membership: path.membership.status } : {}),
    grant: path.grant.status,
    memberSources: path.membership?.sources ?? [],
    grantSources: path.grant.sources,
  };
}

function groupVerdicts(
  inputs: Pick<AccessInputs, "rules" | "directory" | "desired">,
  report: AccessReport,
  person: ReportPerson,
  directoryUser: DirectoryUser | undefined,
  membershipOf: Map<number, AccessStatus>,
  groupIndexByName: Map<string, number>,
): GroupVerdict[] {
  const { rules, desired, directory } = inputs;
  const verdicts: GroupVerdict[] = [];
  const covered = new Set<number>();
  const desiredGroups = new Map(desired.groups.map((group) => [group.displayName, group]));
  rules.groups.forEach((group, g) => {
    const position = groupIndexByName.get(group.name);
    if (position !== undefined) covered.add(position);
    const principal = position === undefined ? undefined : report.principals[position];
    const membership = position === undefined ? undefined : membershipOf.get(position);
    const wanted = desiredGroups.get(group.name);
    const member = wanted?.members.find((candidate) => userKey(candidate.userName) === person.key);
    const excluded = wanted?.excluded?.find((candidate) => userKey(candidate.userName) === person.key);
    const selecting = new Set([...(member?.sources ?? []), ...(excluded?.sources ?? [])].map((s) => s.rule));
    const excluding = new Set((excluded?.excludedBy ?? []).map((source) => source.rule));
    const selectors: SelectorVerdict[] = [
      ...group.members.map((selector, s) => selectorSourceOf(selector, ["groups", g, "members", s])),
      ...group.exclude.map((selector, s) => selectorSourceOf(selector, ["groups", g, "exclude", s])),
    ].map((source) => ({
      source,
      effect: selecting.has(source.rule) ? "selects" : excluding.has(source.rule) ? "excludes" : "none",
      observed: observe(source, person, directoryUser, directory),
    }));
    // Static users name their groups themselves.
    for (const source of member?.sources ?? [])
      if (source.kind === "static")
        selectors.push({ source, effect: "selects", observed: "listed in users.static with this group" });
    verdicts.push({
      group: group.name,
      rule: `groups[${g}]`,
      management: principal?.management ?? (wanted ? "managed" : "protected"),
      ...(membership === undefined ? {} : { membership }),
      membersKnown: principal?.membersKnown ?? true,
      selectors,
    });
  });
  // Groups the rules do not define that Identity Center has the person in.
  for (const [position, membership] of [...membershipOf].sort(([a], [b]) => a - b)) {
    if (covered.has(position)) continue;
    const principal = report.principals[position]!;
    verdicts.push({
      group: principal.name,
      management: principal.management,
      membership,
      membersKnown: principal.membersKnown,
      selectors: [],
    });
  }
  return verdicts;
}

function assignmentRuleVerdicts(
  inputs: Pick<AccessInputs, "rules" | "desired">,
  report: AccessReport,
  person: ReportPerson,
  paths: AccessPath[],
  membershipOf: Map<number, AccessStatus>,
  groupIndexByName: Map<string, number>,
): (Omit<AssignmentRuleVerdict, "paths"> & { paths: AccessPath[] })[] {
  const accountsOfRule = new Map<string, Set<string>>();
  for (const assignment of inputs.desired.assignments) {
    for (const source of assignment.sources ?? []) {
      const ids = accountsOfRule.get(source.rule) ?? new Set<string>();
      ids.add(assignment.accountId);
      accountsOfRule.set(source.rule, ids);
    }
  }
  const accountById = new Map(report.accounts.map((account) => [account.id, account]));
  const addresses = new Set([person.key, ...person.aliases]);
  return inputs.rules.assignments.map((assignment, index) => {
    const rule = `assignments[${index}]`;
    const ids = [...(accountsOfRule.get(rule) ?? [])].sort(compare);
    return {
      rule,
      groups: assignment.groups.map((name) => {
        const position = groupIndexByName.get(name);
        const membership = position === undefined ? undefined : membershipOf.get(position);
        return membership === undefined ? { name } : { name, membership };
      }),
      users: assignment.users.map((name) => ({ name, isPerson: addresses.has(userKey(name)) })),
      permissionSets: [...assignment.permissionSets],
      accountReferences: [...assignment.accounts],
      accounts: ids.flatMap((id) => accountById.get(id) ?? []),
      paths: paths.filter((path) => path.grant.sources.some((source) => source.rule === rule)),
    };
  });
}

/** The person's side of a selector, in words. */
function observe(
  source: SelectorSource,
  person: ReportPerson,
  user: DirectoryUser | undefined,
  directory: Directory,
): string {
  switch (source.kind) {
    case "orgUnit":
      return user === undefined ? "not in Google" : `org unit ${user.orgUnitPath}`;
    case "googleGroup": {
      const group = directory.groups.find(
        (candidate) => candidate.email.toLowerCase() === source.googleGroup,
      );
      if (group === undefined) return `${source.googleGroup} was not read`;
      const addresses = new Set([person.key, ...person.aliases]);
      if (group.memberEmails.some((email) => addresses.has(userKey(email))))
        return `in ${source.googleGroup}`;
      // Google's "all users in the organization" member: every user of the customer is in the group.
      if (group.allUsers && user !== undefined) return `in ${source.googleGroup} (all users)`;
      return `not in ${source.googleGroup}`;
    }
    case "where":
      if (user === undefined) return "not in Google";
      return Object.keys(source.where)
        .map((key) => `${key} ${user[key as keyof DirectoryUser] ?? "(none)"}`)
        .join(", ");
    case "user":
      return [person.key, ...person.aliases].includes(userKey(source.user))
        ? "names this person"
        : "names someone else";
    case "static":
      return "listed in users.static";
  }
}

function findDirectoryUser(directory: Directory, person: ReportPerson): DirectoryUser | undefined {
  if (person.origin !== "google") return undefined;
  return directory.users.find((user) => userKey(user.primaryEmail) === person.key);
}

/** Up to three known values within a typo or two of what was typed (one edit per eight characters). */
function closest(query: string, candidates: string[]): string[] {
  const limit = Math.max(1, Math.floor(query.length / 8));
  return [...new Set(candidates)]
    .map((candidate) => ({ candidate, score: distance(query, candidate) }))
    .filter(({ score }) => score <= limit)
    .sort((a, b) => a.score - b.score || compare(a.candidate, b.candidate))
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}
