/**
 * Builds the access report from what a plan reads and the plan itself: the rules, the directory, the
 * accounts, the desired state `evaluate` made from them (with its provenance), the actual Identity
 * Center state, and the plan between the two. Whether access no rule grants is `unexplained` (the next
 * apply removes it) or `unmanaged` (idc-sync leaves it) is read off the plan's removals, so the report
 * and `apply` never disagree about it, whatever the scope, protections, ownership record and other
 * provisioners make of it. Pure and deterministic: every list is sorted, whatever the order of inputs.
 */
import type { Rules } from "../mapping/index.js";
import { scopeFromRules } from "../mapping/index.js";
import { compareStrings as compare } from "../sync/keys.js";
import {
  type AssignmentSource,
  type AwsAccount,
  type DesiredState,
  type Directory,
  type IdentityCenterState,
  type Plan,
  PrincipalType,
  type SelectorSource,
} from "../sync/model.js";
import {
  domainOf,
  isManagedGroup,
  isManagedUser,
  isProtectedGroup,
  isProtectedUser,
  userKey,
} from "../sync/scope.js";
import {
  type AccessReport,
  AccessStatus,
  type Management,
  type PersonStanding,
  type ReportAccount,
  type ReportGrant,
  type ReportMembership,
  type ReportPerson,
  type ReportPrincipal,
} from "./model.js";

/** Everything the report is made from; the CLI reads it through the same ports as a plan. */
export interface AccessInputs {
  rules: Rules;
  directory: Directory;
  accounts: AwsAccount[];
  /** `evaluate(directory, rules, accounts)`; its provenance (sources, absences) is what the report shows. */
  desired: DesiredState;
  actual: IdentityCenterState;
  /** `computePlan(desired, actual, scope, ownership)`: its removals say which access the next apply takes away. */
  plan: Plan;
}

/** Builds the access report: the actual access in Identity Center, each piece matched to the rule behind it. */
export function buildAccessReport(inputs: AccessInputs): AccessReport {
  const { rules, directory, desired, actual, plan } = inputs;
  const scope = scopeFromRules(rules);
  const people = new PeopleIndex();

  // ── People: Google, then static users, then Identity Center users nobody else accounts for ──
  for (const user of [...directory.users].sort((a, b) => compare(a.primaryEmail, b.primaryEmail))) {
    people.add(userKey(user.primaryEmail), user.aliases, {
      displayName: `${user.givenName} ${user.familyName}`.trim() || user.primaryEmail,
      origin: "google",
      orgUnitPath: user.orgUnitPath,
      ...(user.department ? { department: user.department } : {}),
      ...(user.title ? { title: user.title } : {}),
      suspended: user.suspended,
      archived: user.archived,
    });
  }
  for (const user of rules.users.static) {
    if (people.find(user.email) !== undefined) continue;
    people.add(userKey(user.email), [], {
      displayName: user.displayName ?? `${user.givenName} ${user.familyName}`,
      origin: "static",
    });
  }
  // A user the plan renames (found by Google id or alias) is the person it is renamed to.
  for (const change of plan.changes) {
    if (change.kind !== "updateUser" || userKey(change.userName) === userKey(change.user.userName)) continue;
    const person = people.find(change.user.userName);
    if (person !== undefined) people.addAddress(change.userName, person);
  }
  // A person's user under their primary address first, so an old address left over is the odd one out.
  const icUsers = [...actual.users].sort((a, b) => compare(userKey(a.userName), userKey(b.userName)));
  const underPrimary = (userName: string) => people.isPrimary(userName);
  for (const user of icUsers.filter((user) => underPrimary(user.userName)))
    people.attachIdentityCenterUser(user.userName, user.displayName);
  for (const user of icUsers.filter((user) => !underPrimary(user.userName)))
    people.attachIdentityCenterUser(user.userName, user.displayName);

  const desiredUsers = new Set(desired.users.map((user) => userKey(user.userName)));
  const otherProvisioners = issuersOfUsers(actual, plan.externallyProvisionedUsers ?? []);
  const standingOf = (person: DraftPerson): PersonStanding => {
    const addresses = [person.key, ...person.aliases];
    if (addresses.some((address) => isProtectedUser(scope, address))) return { code: "protected" };
    const issuers = person.identityCenterUserName
      ? otherProvisioners.get(userKey(person.identityCenterUserName))
      : undefined;
    if (issuers !== undefined) return { code: "externallyProvisioned", issuers };
    if (desiredUsers.has(person.key)) return { code: "provisioned" };
    const absence = desired.absences?.[person.key];
    if (absence !== undefined) return absence;
    if (person.origin === "identityCenter")
      return isManagedUser(scope, person.key) ? { code: "notInGoogle" } : { code: "outsideDomains" };
    if (!scope.domains.includes(domainOf(person.key))) return { code: "outsideDomains" };
    if (person.suspended) return { code: "suspended" };
    if (person.archived) return { code: "archived" };
    return { code: "unmapped" };
  };

  // ── Accounts and permission sets ──
  const accounts = new AccountsIndex(inputs.accounts);
  const permissionSetNames = new Set<string>(rules.permissionSets.map((set) => set.name));
  for (const assignment of [...desired.assignments, ...actual.assignments])
    permissionSetNames.add(assignment.permissionSetName);
  const permissionSets = [...permissionSetNames].sort(compare);
  const permissionSetIndex = new Map(permissionSets.map((name, index) => [name, index]));

  // ── Groups: desired ones, protected ones the rules name, and every group Identity Center has ──
  const groups = new Map<string, DraftGroup>();
  const ruleOfGroup = new Map(rules.groups.map((group, index) => [group.name, `groups[${index}]`]));
  const groupFor = (name: string): DraftGroup => {
    let group = groups.get(name);
    if (group === undefined) {
      group = {
        name,
        management: isProtectedGroup(scope, name)
          ? "protected"
          : isManagedGroup(scope, name)
            ? "managed"
            : "unmanaged",
        membersKnown: true,
        desiredMembers: new Map(),
        actualMembers: new Set(),
      };
      const rule = ruleOfGroup.get(name);
      if (rule !== undefined) group.rule = rule;
      groups.set(name, group);
    }
    return group;
  };
  for (const wanted of desired.groups) {
    const group = groupFor(wanted.displayName);
    if (wanted.rule !== undefined) group.rule = wanted.rule;
    if (wanted.description !== undefined) group.description = wanted.description;
    for (const member of wanted.members) {
      const person = people.findOrAdd(member.userName);
      group.desiredMembers.set(person, member.sources ?? []);
    }
  }
  // A managed group still under a previous name is the group the rules now call otherwise.
  const actualNames = new Set(actual.groups.map((group) => group.displayName));
  const renamedTo = new Map<string, string>();
  for (const wanted of desired.groups) {
    if (actualNames.has(wanted.displayName)) continue;
    const previous = wanted.previousNames.find((name) => actualNames.has(name));
    if (previous !== undefined) renamedTo.set(previous, wanted.displayName);
  }
  const groupNameNow = (name: string) => renamedTo.get(name) ?? name;
  for (const current of [...actual.groups].sort((a, b) => compare(a.displayName, b.displayName))) {
    const group = groupFor(groupNameNow(current.displayName));
    if (group.description === undefined && current.description !== undefined)
      group.description = current.description;
    if (current.members === undefined) {
      group.membersKnown = false;
      continue;
    }
    for (const member of current.members) group.actualMembers.add(people.findOrAdd(member));
  }

  // ── What the next apply takes away, by group and person, and by grant ──
  const removedMemberships = new Set<string>();
  const removedGrants = new Set<string>();
  for (const change of plan.changes) {
    if (change.kind === "removeMember")
      removedMemberships.add(`${change.groupName}\u0000${people.findOrAdd(change.userName)}`);
    if (change.kind === "deleteAssignment") {
      const { principalType, principalName, permissionSetName, accountId } = change.assignment;
      const principal =
        principalType === PrincipalType.group ? principalName : String(people.findOrAdd(principalName));
      removedGrants.add(`${principalType}\u0000${principal}\u0000${permissionSetName}\u0000${accountId}`);
    }
  }

  // ── Grants: desired and actual assignments, keyed by (principal, permission set, account) ──
  const userPrincipals = new Set<number>();
  const drafts = new Map<string, DraftGrant>();
  const grantFor = (
    principal: DraftPrincipalRef,
    permissionSetName: string,
    accountId: string,
  ): DraftGrant => {
    const key = `${principal.type}\u0000${principal.type === PrincipalType.group ? principal.name : principal.person}\u0000${permissionSetName}\u0000${accountId}`;
    let draft = drafts.get(key);
    if (draft === undefined) {
      draft = {
        principal,
        permissionSet: permissionSetIndex.get(permissionSetName) ?? 0,
        account: accounts.indexOf(accountId),
        key,
        desired: false,
        actual: false,
        sources: [],
      };
      drafts.set(key, draft);
    }
    return draft;
  };
  const principalOf = (type: PrincipalType, name: string): DraftPrincipalRef => {
    if (type === PrincipalType.group) {
      const group = groupNameNow(name);
      groupFor(group);
      return { type, name: group };
    }
    const person = people.findOrAdd(name);
    userPrincipals.add(person);
    return { type, person };
  };
  for (const assignment of desired.assignments) {
    const draft = grantFor(
      principalOf(assignment.principalType, assignment.principalName),
      assignment.permissionSetName,
      assignment.accountId,
    );
    draft.desired = true;
    draft.sources = assignment.sources ?? [];
  }
  for (const assignment of actual.assignments) {
    const draft = grantFor(
      principalOf(assignment.principalType, assignment.principalName),
      assignment.permissionSetName,
      assignment.accountId,
    );
    draft.actual = true;
  }

  // ── Assemble, sorted: people by key, groups by name then users by key ──
  const { persons, order: personOrder } = people.sorted();
  const principals: ReportPrincipal[] = [];
  const groupIndex = new Map<string, number>();
  for (const group of [...groups.values()].sort((a, b) => compare(a.name, b.name))) {
    groupIndex.set(group.name, principals.length);
    principals.push({
      type: PrincipalType.group,
      name: group.name,
      management: group.management,
      ...(group.rule === undefined ? {} : { rule: group.rule }),
      ...(group.description === undefined ? {} : { description: group.description }),
      membersKnown: group.membersKnown,
    });
  }
  const userIndex = new Map<number, number>();
  for (const draftPerson of [...userPrincipals].sort((a, b) => personOrder[a]! - personOrder[b]!)) {
    const person = persons[personOrder[draftPerson]!]!;
    userIndex.set(draftPerson, principals.length);
    principals.push({
      type: PrincipalType.user,
      name: person.key,
      management: isProtectedUser(scope, person.key)
        ? "protected"
        : isManagedUser(scope, person.key)
          ? "managed"
          : "unmanaged",
      membersKnown: true,
      person: personOrder[draftPerson]!,
    });
  }

  const memberships: ReportMembership[] = [];
  for (const group of groups.values()) {
    const index = groupIndex.get(group.name)!;
    const members = new Set([...group.desiredMembers.keys(), ...group.actualMembers]);
    for (const draftPerson of members) {
      const sources = group.desiredMembers.get(draftPerson);
      const isActual = group.actualMembers.has(draftPerson);
      const status: AccessStatus =
        sources !== undefined
          ? isActual
            ? AccessStatus.granted
            : AccessStatus.pending
          : removedMemberships.has(`${group.name}\u0000${draftPerson}`)
            ? AccessStatus.unexplained
            : AccessStatus.unmanaged;
      memberships.push({ group: index, person: personOrder[draftPerson]!, status, sources: sources ?? [] });
    }
  }
  memberships.sort((a, b) => a.group - b.group || a.person - b.person);

  const grants: ReportGrant[] = [...drafts.values()].map((draft) => {
    const principal =
      draft.principal.type === PrincipalType.group
        ? groupIndex.get(draft.principal.name)!
        : userIndex.get(draft.principal.person)!;
    const status: AccessStatus = draft.desired
      ? draft.actual
        ? AccessStatus.granted
        : AccessStatus.pending
      : removedGrants.has(draft.key)
        ? AccessStatus.unexplained
        : AccessStatus.unmanaged;
    return {
      principal,
      account: draft.account,
      permissionSet: draft.permissionSet,
      status,
      sources: draft.desired ? draft.sources : [],
    };
  });
  const reportAccounts = accounts.list();
  const accountOrder = sortedOrder(reportAccounts, (a, b) => compare(a.name, b.name) || compare(a.id, b.id));
  for (const grant of grants) grant.account = accountOrder.order[grant.account]!;
  grants.sort(
    (a, b) => a.principal - b.principal || a.account - b.account || a.permissionSet - b.permissionSet,
  );

  const finalPeople: ReportPerson[] = persons.map((person) => {
    const { suspended: _s, archived: _a, ...rest } = person;
    return { ...rest, standing: standingOf(person) };
  });

  return {
    rulesFile: rules.source.file,
    ruleLines: ruleLinesFor(rules),
    accounts: accountOrder.sorted,
    permissionSets,
    people: finalPeople,
    principals,
    grants,
    memberships,
  };
}

// ─── People ─────────────────────────────────────────────────────────────────────────────────────────

interface DraftPerson extends Omit<ReportPerson, "standing"> {
  suspended?: boolean;
  archived?: boolean;
}

type PersonDetails = Omit<DraftPerson, "key" | "aliases">;

/** People by every address they have; an index is stable while people are added. */
class PeopleIndex {
  private readonly people: DraftPerson[] = [];
  private readonly byAddress = new Map<string, number>();

  add(key: string, aliases: string[], details: PersonDetails): number {
    const index = this.people.length;
    const others = [...new Set(aliases.map(userKey))].filter((alias) => alias !== key).sort(compare);
    this.people.push({ key, aliases: others, ...details });
    for (const address of [key, ...others])
      if (!this.byAddress.has(address)) this.byAddress.set(address, index);
    return index;
  }

  /** Another address of a person (an old userName the plan renames), unless someone already has it. */
  addAddress(address: string, index: number): void {
    const key = userKey(address);
    if (this.byAddress.has(key)) return;
    this.byAddress.set(key, index);
    const person = this.people[index]!;
    person.aliases = [...person.aliases, key].sort(compare);
  }

  /** True when the address is some person's primary address (their key). */
  isPrimary(address: string): boolean {
    const index = this.find(address);
    return index !== undefined && this.people[index]!.key === userKey(address);
  }

  find(address: string): number | undefined {
    return this.byAddress.get(userKey(address));
  }

  /** The person behind an address; someone Identity Center names but nobody else knows is added. */
  findOrAdd(address: string): number {
    return (
      this.find(address) ?? this.add(userKey(address), [], { displayName: address, origin: "identityCenter" })
    );
  }

  /** Links an Identity Center user to the person it belongs to (by primary address or alias). */
  attachIdentityCenterUser(userName: string, displayName: string): void {
    const found = this.find(userName);
    const person = found === undefined ? undefined : this.people[found];
    if (person !== undefined && person.identityCenterUserName === undefined) {
      person.identityCenterUserName = userName;
      return;
    }
    // Nobody else knows them, or a second user of the same person (an old address next to a new one).
    const index = this.add(userKey(userName), [], {
      displayName: displayName || userName,
      origin: "identityCenter",
    });
    this.people[index]!.identityCenterUserName = userName;
    this.byAddress.set(userKey(userName), index);
  }

  /** People sorted by key, and each draft index's place in that order. */
  sorted(): { persons: DraftPerson[]; order: number[] } {
    const { sorted, order } = sortedOrder(this.people, (a, b) => compare(a.key, b.key));
    return { persons: sorted, order };
  }
}

// ─── Accounts ───────────────────────────────────────────────────────────────────────────────────────

class AccountsIndex {
  private readonly accounts: ReportAccount[] = [];
  private readonly byId = new Map<string, number>();

  constructor(accounts: AwsAccount[]) {
    for (const account of accounts) this.add({ id: account.id, name: account.name, status: account.status });
  }

  /** The account's index; an account outside the organization is added with no name. */
  indexOf(id: string): number {
    return this.byId.get(id) ?? this.add({ id, name: "", status: "unknown" });
  }

  list(): ReportAccount[] {
    return this.accounts;
  }

  private add(account: ReportAccount): number {
    const existing = this.byId.get(account.id);
    if (existing !== undefined) return existing;
    this.byId.set(account.id, this.accounts.length);
    this.accounts.push(account);
    return this.accounts.length - 1;
  }
}

// ─── Drafts ─────────────────────────────────────────────────────────────────────────────────────────

interface DraftGroup {
  name: string;
  management: Management;
  rule?: string;
  description?: string;
  membersKnown: boolean;
  /** Person (draft index) → the selectors that put them in. */
  desiredMembers: Map<number, SelectorSource[]>;
  actualMembers: Set<number>;
}

type DraftPrincipalRef = { type: "GROUP"; name: string } | { type: "USER"; person: number };

interface DraftGrant {
  principal: DraftPrincipalRef;
  permissionSet: number;
  account: number;
  /** Principal (group name or person), permission set and account, as the plan's removals are keyed. */
  key: string;
  desired: boolean;
  actual: boolean;
  sources: AssignmentSource[];
}

/** userName (lower case) → the issuers of the users another provisioner owns. */
function issuersOfUsers(actual: IdentityCenterState, userNames: string[]): Map<string, string[]> {
  const wanted = new Set(userNames.map(userKey));
  const issuers = new Map<string, string[]>();
  for (const user of actual.users) {
    const key = userKey(user.userName);
    if (!wanted.has(key)) continue;
    issuers.set(key, [...new Set((user.externalIds ?? []).map((external) => external.issuer))].sort(compare));
  }
  return issuers;
}

/** `items` sorted, and for each original index its index in the sorted list. */
function sortedOrder<T>(items: T[], compareItems: (a: T, b: T) => number): { sorted: T[]; order: number[] } {
  const indexes = items.map((_, index) => index).sort((a, b) => compareItems(items[a]!, items[b]!));
  const order = new Array<number>(items.length);
  indexes.forEach((original, position) => {
    order[original] = position;
  });
  return { sorted: indexes.map((index) => items[index]!), order };
}

/** The line of every rule path a report or an explanation can mention, from the positions the loader kept. */
function ruleLinesFor(rules: Rules): Record<string, number> {
  const paths: string[] = [];
  rules.groups.forEach((group, g) => {
    paths.push(`groups[${g}]`);
    group.members.forEach((_, s) => {
      paths.push(`groups[${g}].members[${s}]`);
    });
    group.exclude.forEach((_, s) => {
      paths.push(`groups[${g}].exclude[${s}]`);
    });
  });
  rules.assignments.forEach((_, index) => {
    paths.push(`assignments[${index}]`);
  });
  rules.users.exclude.forEach((_, index) => {
    paths.push(`users.exclude[${index}]`);
  });
  rules.users.static.forEach((_, index) => {
    paths.push(`users.static[${index}]`);
  });
  const lines: Record<string, number> = {};
  for (const path of paths) {
    const position = rules.source.values[path];
    if (position !== undefined) lines[path] = position.line;
  }
  return lines;
}
