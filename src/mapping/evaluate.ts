/**
 * The rules applied to a directory and an account list: the desired Identity Center state. Pure, and
 * deterministic whatever the order of its inputs.
 */

import { compareStrings as compare } from "../sync/keys.js";
import {
  AccountStatus,
  type AssignmentSource,
  type AwsAccount,
  type DesiredAssignment,
  type DesiredGroup,
  type DesiredMember,
  type DesiredPermissionSet,
  type DesiredState,
  type DesiredUser,
  type Directory,
  type DirectoryUser,
  type EnterpriseAttributes,
  type ExcludedMember,
  type InactiveAccount,
  type Organization,
  PrincipalType,
  type SelectorSource,
  type UserAbsence,
} from "../sync/model.js";
import { domainOf } from "../sync/scope.js";
import {
  formatRuleIssue,
  formatRulePath,
  type RuleIssue,
  type RulePath,
  ruleIssue,
  sortIssues,
} from "./issues.js";
import { checkReferences } from "./references.js";
import type { Rules } from "./rules.js";
import {
  type AccountSelector,
  type AttributeMapping,
  accountIdPattern,
  type DirectoryField,
  type Selector,
} from "./schema.js";
import { selectorSourceOf } from "./selector-source.js";

export type EvaluateResult =
  | {
      ok: true;
      desired: DesiredState;
      /** `FILE:LINE:COL: message`, ready to print. */
      warnings: string[];
      /** The same warnings as positioned values (for `--json` and `--strict`). */
      warningIssues: RuleIssue[];
    }
  | { ok: false; problems: RuleIssue[] };

/**
 * Identity Center quotas that depend on the accounts, from the IAM Identity Center quotas page: "Total
 * number of groups that can be assigned to a permission set per AWS account, or to an application | 100 |
 * No" (Additional quotas) and "Number of provisioned permission sets allowed per AWS account | 500" (AWS
 * account quotas; 250 on older copies of the page). Neither can be raised by a plan, so a rule that
 * breaks one is an error before anything is applied, not a failure halfway through.
 */
export const assignmentQuotas = {
  groupsPerPermissionSetPerAccount: 100,
  permissionSetsPerAccount: 500,
} as const;

interface Candidate {
  userName: string;
  directoryUser?: DirectoryUser;
}

/**
 * Computes the desired state. Problems that need the directory or the accounts (a Google group or org
 * unit that does not exist, an unknown account id, an Identity Center quota) come back positioned in the
 * rules file; nothing is thrown for them.
 */
export function evaluate(
  directory: Directory,
  rules: Rules,
  accounts: AwsAccount[],
  organization?: Pick<Organization, "rootId" | "organizationalUnits">,
): EvaluateResult {
  // Every Google group, org unit, account and OU the rules name must exist (with "did you mean").
  const problems: RuleIssue[] = [
    ...checkReferences(rules, rules.source, {
      directory,
      accounts,
      ...(organization ? { organization } : {}),
    }).errors,
  ];
  const warnings: RuleIssue[] = [];
  const problem = (path: RulePath, message: string) => problems.push(ruleIssue(rules.source, path, message));
  const warn = (path: RulePath, message: string) => warnings.push(ruleIssue(rules.source, path, message));

  const domains = new Set(rules.google.domains);
  const protectedUsers = new Set(rules.safety.protect.users);
  const protectedGroups = new Set(rules.safety.protect.groups);
  /** Each `users.exclude` address to its index, for the absence's rule path. */
  const excluded = new Map(rules.users.exclude.map((address, index) => [address, index] as const));
  const staticUsers = new Map(
    rules.users.static.filter((user) => !protectedUsers.has(user.email)).map((user) => [user.email, user]),
  );

  // ── Who may be desired at all ──
  const absentReasons: Record<string, string> = {};
  const absences: Record<string, UserAbsence> = {};
  const eligible = new Map<string, Candidate>();
  /** Every address (primary and alias) of every directory user, to the user. */
  const byAddress = new Map<string, DirectoryUser>();
  const directoryUsers = [...directory.users].sort((a, b) => compare(a.primaryEmail, b.primaryEmail));
  for (const user of directoryUsers) {
    const addresses = addressesOf(user);
    for (const address of addresses) byAddress.set(address, user);
    const primary = user.primaryEmail.toLowerCase();
    if (!domains.has(domainOf(primary))) continue;
    if (addresses.some((address) => protectedUsers.has(address))) continue;
    if (staticUsers.has(primary)) continue;
    const excludedAt = addresses.map((address) => excluded.get(address)).find((index) => index !== undefined);
    const absence: UserAbsence | undefined = user.suspended
      ? { code: "suspended" }
      : user.archived
        ? { code: "archived" }
        : excludedAt !== undefined
          ? { code: "excluded", rule: formatRulePath(["users", "exclude", excludedAt]) }
          : undefined;
    if (absence === undefined) {
      eligible.set(primary, { userName: primary, directoryUser: user });
      continue;
    }
    absences[primary] = absence;
    for (const address of addresses) absentReasons[address] = absenceReasons[absence.code];
  }
  for (const email of staticUsers.keys()) eligible.set(email, { userName: email });

  /** The eligible user behind an address (primary, alias or static), if any. */
  const candidateFor = (address: string): Candidate | undefined => {
    const lower = address.toLowerCase();
    const direct = eligible.get(lower);
    if (direct) return direct;
    const owner = byAddress.get(lower);
    return owner === undefined ? undefined : eligible.get(owner.primaryEmail.toLowerCase());
  };

  // ── Groups ──
  const googleGroups = new Map(directory.groups.map((group) => [group.email.toLowerCase(), group]));
  const orgUnits = new Set(directory.orgUnits.map((unit) => unit.path));
  const directoryCandidates = [...eligible.values()].filter(
    (candidate) => candidate.directoryUser !== undefined,
  );

  /** The candidates a selector picks, with the selector as data (one object shared by all of them). */
  const selectMembers = (
    selector: Selector,
    path: RulePath,
  ): { candidates: Candidate[]; reason: string; source: SelectorSource } => {
    const source = selectorSourceOf(selector, path);
    if ("googleGroup" in selector) {
      const reason = `googleGroup ${selector.googleGroup}`;
      const group = googleGroups.get(selector.googleGroup);
      // checkReferences reported it.
      if (group === undefined) return { candidates: [], reason, source };
      const listed = group.memberEmails.flatMap((email) => candidateFor(email) ?? []);
      // Google's "all users in the organization" member: every active user of the domains.
      const candidates = group.allUsers ? [...directoryCandidates, ...listed] : listed;
      return { candidates, reason, source };
    }
    if ("orgUnit" in selector) {
      const reason = `orgUnit ${selector.orgUnit}`;
      // checkReferences reported it.
      if (selector.orgUnit !== "/" && !orgUnits.has(selector.orgUnit))
        return { candidates: [], reason, source };
      const candidates = directoryCandidates.filter(({ directoryUser }) =>
        inOrgUnit(directoryUser!.orgUnitPath, selector.orgUnit, selector.recursive),
      );
      return { candidates, reason, source };
    }
    if ("user" in selector) {
      const candidate = candidateFor(selector.user);
      if (candidate === undefined && !byAddress.has(selector.user)) {
        warn([...path, "user"], `user '${selector.user}' is not in Google or the static users`);
      }
      return { candidates: candidate ? [candidate] : [], reason: `user ${selector.user}`, source };
    }
    const conditions = Object.entries(selector.where).filter(
      (entry): entry is [keyof typeof selector.where, string] => entry[1] !== undefined,
    );
    const reason = `where ${conditions.map(([key, value]) => `${key}=${value}`).join(", ")}`;
    const candidates = directoryCandidates.filter(({ directoryUser }) =>
      conditions.every(([key, value]) => directoryUser![key] === value),
    );
    return { candidates, reason, source };
  };

  /**
   * External members (a guest, a partner: an address outside google.domains that is no static user)
   * get no access; the first rule that brings in their Google group says so, once per group.
   */
  const outsidersReported = new Set<string>();
  const reportOutsiders = (googleGroup: string, path: RulePath): void => {
    const group = googleGroups.get(googleGroup);
    if (group === undefined || outsidersReported.has(googleGroup)) return;
    outsidersReported.add(googleGroup);
    const outsiders = group.memberEmails.filter(
      (email) => !domains.has(domainOf(email)) && candidateFor(email) === undefined,
    );
    if (outsiders.length === 0) return;
    const shown = outsiders.slice(0, 5).join(", ");
    const more = outsiders.length > 5 ? ` and ${outsiders.length - 5} more` : "";
    warn(
      path,
      `Google group '${googleGroup}' has ${outsiders.length === 1 ? "a member" : `${outsiders.length} members`} outside google.domains, given no access: ${shown}${more} (list a person in users.static to give them access)`,
    );
  };

  /** userName → group name → why. */
  const memberships = new Map<string, Map<string, string>>();
  const groups: DesiredGroup[] = [];
  rules.groups.forEach((group, groupIndex) => {
    /** userName → the first reason (for the plan) and every selector that matched (for the report). */
    const members = new Map<string, { reason: string; sources: SelectorSource[] }>();
    group.members.forEach((selector, index) => {
      if ("googleGroup" in selector) {
        reportOutsiders(selector.googleGroup, ["groups", groupIndex, "members", index, "googleGroup"]);
      }
      const selected = selectMembers(selector, ["groups", groupIndex, "members", index]);
      for (const { userName } of selected.candidates) {
        const member = members.get(userName);
        if (member === undefined)
          members.set(userName, { reason: selected.reason, sources: [selected.source] });
        else if (!member.sources.includes(selected.source)) member.sources.push(selected.source);
      }
    });
    const excludedBy = new Map<string, SelectorSource[]>();
    group.exclude.forEach((selector, index) => {
      const selected = selectMembers(selector, ["groups", groupIndex, "exclude", index]);
      for (const { userName } of selected.candidates) {
        if (!members.has(userName)) continue;
        const by = excludedBy.get(userName) ?? [];
        if (!by.includes(selected.source)) by.push(selected.source);
        excludedBy.set(userName, by);
      }
    });
    const excludedMembers: ExcludedMember[] = [];
    for (const [userName, by] of excludedBy) {
      excludedMembers.push({ userName, sources: members.get(userName)?.sources ?? [], excludedBy: by });
      members.delete(userName);
    }
    // Static memberships are written out by hand: no selector overrides them.
    rules.users.static.forEach((user, index) => {
      if (!staticUsers.has(user.email) || !user.groups.includes(group.name)) return;
      const source: SelectorSource = {
        kind: "static",
        rule: formatRulePath(["users", "static", index]),
        email: user.email,
      };
      members.set(user.email, { reason: "static user", sources: [source] });
    });
    if (protectedGroups.has(group.name)) return;
    if (members.size === 0 && group.members.length + group.exclude.length > 0) {
      warn(
        ["groups", groupIndex, "name"],
        `group '${group.name}' matches nobody: no active user fits its members`,
      );
    }
    const desiredMembers: DesiredMember[] = [...members]
      .map(([userName, { reason, sources }]) => ({ userName, reason, sources }))
      .sort((a, b) => compare(a.userName, b.userName));
    for (const member of desiredMembers) {
      const ofUser = memberships.get(member.userName) ?? new Map<string, string>();
      ofUser.set(group.name, member.reason);
      memberships.set(member.userName, ofUser);
    }
    groups.push({
      displayName: group.name,
      rule: `groups[${groupIndex}]`,
      ...(group.description === undefined ? {} : { description: group.description }),
      previousNames: [...group.previousNames].sort(compare),
      members: desiredMembers,
      excluded: excludedMembers
        .filter((member) => !members.has(member.userName))
        .sort((a, b) => compare(a.userName, b.userName)),
    });
  });

  // ── Users ──
  const directlyAssigned = new Map<string, number>();
  rules.assignments.forEach((assignment, index) => {
    for (const email of assignment.users) {
      const candidate = candidateFor(email);
      if (candidate && !directlyAssigned.has(candidate.userName))
        directlyAssigned.set(candidate.userName, index);
    }
  });

  const users: DesiredUser[] = [];
  for (const candidate of eligible.values()) {
    const staticUser = staticUsers.get(candidate.userName);
    if (staticUser) {
      users.push({
        userName: staticUser.email,
        email: staticUser.email,
        givenName: staticUser.givenName,
        familyName: staticUser.familyName,
        displayName:
          staticUser.displayName ??
          displayNameFrom(
            rules.users.attributes.displayName,
            staticUser.givenName,
            staticUser.familyName,
            staticUser.email,
          ),
        previousUserNames: [],
        reason: "static user in rules",
      });
      continue;
    }
    const user = candidate.directoryUser!;
    const inGroups = memberships.get(candidate.userName);
    const assignedIn = directlyAssigned.get(candidate.userName);
    const because: string[] = [];
    if (inGroups && inGroups.size > 0) {
      because.push(
        `member of ${[...inGroups]
          .sort(([a], [b]) => compare(a, b))
          .map(([group, why]) => `${group} (${why})`)
          .join(", ")}`,
      );
    }
    if (assignedIn !== undefined) because.push(`assigned in assignments[${assignedIn}]`);
    if (because.length === 0) {
      if (rules.users.provision === "mapped") {
        absences[candidate.userName] = { code: "unmapped" };
        for (const address of addressesOf(user)) absentReasons[address] = absenceReasons.unmapped;
        continue;
      }
      because.push(`active in ${domainOf(candidate.userName)} (users.provision: all)`);
    }
    users.push(desiredUserFrom(user, rules.users.attributes, because.join("; ")));
  }
  const desiredUserNames = new Set(users.map((user) => user.userName));
  const desiredGroupNames = new Set(groups.map((group) => group.displayName));
  // Identity Center stores the manager as a user id: a manager who gets no Identity Center user cannot
  // be set, and asking for it anyway would plan the same update on every run.
  for (const user of users) {
    const manager = user.enterprise?.manager;
    if (manager !== undefined && !desiredUserNames.has(manager)) delete user.enterprise!.manager;
  }

  // ── Permission sets ──
  // The `managed-by` marker is the AWS adapter's own business (it tags what it creates and hides the
  // tag on read), so the desired tags are exactly the rules' tags.
  const permissionSets: DesiredPermissionSet[] = rules.permissionSets
    .map((set, index) => ({ ...set, tags: { ...set.tags }, rule: `permissionSets[${index}]` }))
    .sort((a, b) => compare(a.name, b.name));

  // ── Accounts ──
  const accountsById = new Map(accounts.map((account) => [account.id, account]));
  const activeAccounts = accounts.filter((account) => account.status === AccountStatus.active);
  const explicitAccount = (id: string, path: RulePath): string[] => {
    const account = accountsById.get(id);
    // checkReferences reported it.
    if (account === undefined) return [];
    if (account.status !== AccountStatus.active) {
      warn(path, `AWS account '${id}' (${account.name}) is ${account.status}; no assignments are made to it`);
      return [];
    }
    return [id];
  };
  const selectAccounts = (selector: AccountSelector, path: RulePath): string[] => {
    if (typeof selector === "string") return explicitAccount(selector, path);
    if ("ou" in selector) {
      const ids = activeAccounts
        .filter((account) =>
          selector.recursive ? account.ancestorIds.includes(selector.ou) : account.parentId === selector.ou,
        )
        .map((account) => account.id);
      if (ids.length === 0)
        warn(
          [...path, "ou"],
          `{ ou: ${selector.ou} } matches no active account${selector.recursive ? "" : " directly in it"}`,
        );
      return ids;
    }
    const wanted = Object.entries(selector.tag);
    const ids = activeAccounts
      .filter((account) => wanted.every(([key, value]) => account.tags[key] === value))
      .map((account) => account.id);
    if (ids.length === 0)
      warn(
        [...path, "tag"],
        `tag selector { ${wanted.map(([key, value]) => `${key}: ${value}`).join(", ")} } matches no active account`,
      );
    return ids;
  };
  const accountSets = new Map<string, string[]>();
  for (const [name, set] of Object.entries(rules.accounts).sort(([a], [b]) => compare(a, b))) {
    const path = ["accounts", name];
    if (set === "all" && activeAccounts.length === 0) warn(path, "'all' matches no active account");
    const ids =
      set === "all"
        ? activeAccounts.map((account) => account.id)
        : Array.isArray(set)
          ? set.flatMap((selector, index) => selectAccounts(selector, [...path, index]))
          : selectAccounts(set, path);
    accountSets.set(name, [...new Set(ids)].sort(compare));
  }

  // ── Assignments ──
  const assignments = new Map<string, DesiredAssignment>();
  const groupsPerSlot = new Map<string, Set<string>>();
  const permissionSetsPerAccount = new Map<string, Set<string>>();
  const reportedQuotas = new Set<string>();
  rules.assignments.forEach((assignment, index) => {
    const principals: { type: PrincipalType; name: string }[] = [
      ...assignment.groups
        .filter((name) => desiredGroupNames.has(name))
        .map((name) => ({ type: PrincipalType.group, name })),
      ...assignment.users
        .map((email) => candidateFor(email)?.userName)
        .filter((name): name is string => name !== undefined && desiredUserNames.has(name))
        .map((name) => ({ type: PrincipalType.user, name })),
    ];
    const targets = assignment.accounts.flatMap((reference, referenceIndex) => {
      const ids = accountIdPattern.test(reference)
        ? explicitAccount(reference, ["assignments", index, "accounts", referenceIndex])
        : (accountSets.get(reference) ?? []);
      return ids.map((accountId) => ({ accountId, reference }));
    });
    for (const principal of principals) {
      for (const permissionSetName of assignment.permissionSets) {
        for (const { accountId, reference } of targets) {
          const key = [principal.type, principal.name, permissionSetName, accountId].join("\u0000");
          const source: AssignmentSource = { rule: `assignments[${index}]`, accounts: reference };
          const existing = assignments.get(key);
          if (existing !== undefined) {
            const sources = existing.sources ?? [];
            if (!sources.some((known) => known.rule === source.rule && known.accounts === source.accounts))
              sources.push(source);
            existing.sources = sources;
            continue;
          }
          assignments.set(key, {
            principalType: principal.type,
            principalName: principal.name,
            permissionSetName,
            accountId,
            reason: `assignments[${index}]: ${principal.name} × ${permissionSetName} × ${reference}`,
            sources: [source],
          });
          const inAccount = permissionSetsPerAccount.get(accountId) ?? new Set<string>();
          inAccount.add(permissionSetName);
          permissionSetsPerAccount.set(accountId, inAccount);
          if (inAccount.size > assignmentQuotas.permissionSetsPerAccount && !reportedQuotas.has(accountId)) {
            reportedQuotas.add(accountId);
            problem(
              ["assignments", index],
              `account ${accountId} would get more than ${assignmentQuotas.permissionSetsPerAccount} permission sets; Identity Center allows at most ${assignmentQuotas.permissionSetsPerAccount} per account`,
            );
          }
          if (principal.type !== PrincipalType.group) continue;
          const slot = `${permissionSetName}\u0000${accountId}`;
          const groupsInSlot = groupsPerSlot.get(slot) ?? new Set<string>();
          groupsInSlot.add(principal.name);
          groupsPerSlot.set(slot, groupsInSlot);
          if (
            groupsInSlot.size > assignmentQuotas.groupsPerPermissionSetPerAccount &&
            !reportedQuotas.has(slot)
          ) {
            reportedQuotas.add(slot);
            problem(
              ["assignments", index],
              `permission set '${permissionSetName}' would be assigned to more than ${assignmentQuotas.groupsPerPermissionSetPerAccount} groups in account ${accountId}; Identity Center allows at most ${assignmentQuotas.groupsPerPermissionSetPerAccount}`,
            );
          }
        }
      }
    }
  });

  if (problems.length > 0) return { ok: false, problems: sortIssues(problems) };
  return {
    ok: true,
    desired: {
      users: users.sort((a, b) => compare(a.userName, b.userName)),
      groups: groups.sort((a, b) => compare(a.displayName, b.displayName)),
      permissionSets,
      assignments: [...assignments.values()].sort(compareAssignments),
      absentReasons: Object.fromEntries(Object.entries(absentReasons).sort(([a], [b]) => compare(a, b))),
      absences: Object.fromEntries(Object.entries(absences).sort(([a], [b]) => compare(a, b))),
      ...inactiveAccountsOf(accounts),
    },
    warnings: sortIssues(warnings).map(formatRuleIssue),
    warningIssues: sortIssues(warnings),
  };
}

/** `DesiredState.inactiveAccounts`: the accounts that are not ACTIVE, when there are any. */
function inactiveAccountsOf(accounts: readonly AwsAccount[]): Pick<DesiredState, "inactiveAccounts"> {
  const inactive = [...accounts]
    .sort((a, b) => compare(a.id, b.id))
    .flatMap((account): [string, InactiveAccount][] =>
      account.status === AccountStatus.active
        ? []
        : [[account.id, { name: account.name, status: account.status }]],
    );
  return inactive.length > 0 ? { inactiveAccounts: Object.fromEntries(inactive) } : {};
}

/** The plan's words for each absence (`DesiredState.absentReasons`). */
const absenceReasons: Record<UserAbsence["code"], string> = {
  suspended: "suspended in Google",
  archived: "archived in Google",
  excluded: "excluded by users.exclude",
  unmapped: "in no mapped group",
};

function desiredUserFrom(user: DirectoryUser, mapping: AttributeMapping, reason: string): DesiredUser {
  const userName = user.primaryEmail.toLowerCase();
  const title = mapping.title === false ? undefined : fieldValue(user, mapping.title);
  return {
    userName,
    googleId: user.id,
    email: userName,
    givenName: user.givenName,
    familyName: user.familyName,
    displayName: displayNameFrom(mapping.displayName, user.givenName, user.familyName, userName),
    ...(title === undefined ? {} : { title }),
    ...enterpriseFrom(user, mapping),
    previousUserNames: [...new Set(user.aliases.map((alias) => alias.toLowerCase()))]
      .filter((alias) => alias !== userName)
      .sort(compare),
    reason,
  };
}

const enterpriseKeys = [
  "department",
  "costCenter",
  "employeeNumber",
  "manager",
  "organization",
  "division",
] as const;

function enterpriseFrom(
  user: DirectoryUser,
  mapping: AttributeMapping,
): { enterprise?: EnterpriseAttributes } {
  const enabled = enterpriseKeys.filter((key) => mapping[key] !== false);
  if (enabled.length === 0) return {};
  const enterprise: EnterpriseAttributes = {};
  for (const key of enabled) {
    const field = mapping[key];
    if (field === false) continue;
    const value = fieldValue(user, field);
    if (value !== undefined) enterprise[key] = field === "manager" ? value.toLowerCase() : value;
  }
  return { enterprise };
}

function fieldValue(user: DirectoryUser, field: DirectoryField): string | undefined {
  const value = user[field]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function displayNameFrom(template: string, givenName: string, familyName: string, email: string): string {
  const values: Record<string, string> = { givenName, familyName, email };
  const text = template
    .replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "")
    .replace(/\s+/g, " ")
    .trim();
  return text === "" ? email : text;
}

function inOrgUnit(userPath: string, selectorPath: string, recursive: boolean): boolean {
  if (userPath === selectorPath) return true;
  if (!recursive) return false;
  return selectorPath === "/" || userPath.startsWith(`${selectorPath}/`);
}

function addressesOf(user: DirectoryUser): string[] {
  return [...new Set([user.primaryEmail, ...user.aliases].map((address) => address.toLowerCase()))];
}

function compareAssignments(a: DesiredAssignment, b: DesiredAssignment): number {
  return (
    compare(a.accountId, b.accountId) ||
    compare(a.permissionSetName, b.permissionSetName) ||
    compare(a.principalType, b.principalType) ||
    compare(a.principalName, b.principalName)
  );
}
