/**
 * The reading half of a targeted run (issue #14): resolve the subjects to people, read only those
 * people from Google and Identity Center, and hand back inputs cut to them, ready for the same
 * evaluate → plan → guards path a full run takes.
 */
import type { Rules } from "../../mapping/index.js";
import { directoryRequestFromRules } from "../../mapping/index.js";
import { SyncError } from "../errors.js";
import type { AwsAccount, Directory, Organization, Ownership } from "../model.js";
import type { DirectorySource, IdentityCenter } from "../ports.js";
import type { SyncSubject } from "../run-scope.js";
import { coalesceSubjects, subjectKey } from "../run-scope.js";
import { userKey } from "../scope.js";
import type { PeopleRead, PersonRef } from "./reads.js";
import type { PeopleSlice } from "./slice.js";

/** The subjects, resolved: who to read, and what the run says about the rest. */
export interface ResolvedSubjects {
  refs: PersonRef[];
  groupEmails: string[];
  /** Identity Store ids the subjects named (CloudTrail), found in Identity Center. */
  userIds: string[];
  /** One line per subject the run cannot act on: unknown, or left to the full run. */
  notes: string[];
  /**
   * Subjects a targeted run does not cover (a permission set, an Identity Center group edited by hand):
   * the caller should queue a full run for them.
   */
  needsFullRun: SyncSubject[];
}

/** Turns subjects into people to read; an Identity Center id is looked up first (one call each). */
export async function resolveSubjects(
  subjects: readonly SyncSubject[],
  identityCenter: IdentityCenter,
): Promise<ResolvedSubjects> {
  const resolved: ResolvedSubjects = { refs: [], groupEmails: [], userIds: [], notes: [], needsFullRun: [] };
  for (const subject of coalesceSubjects(subjects)) {
    if (subject.kind === "permissionSet") {
      resolved.needsFullRun.push(subject);
      resolved.notes.push(`${subjectKey(subject)}: permission sets are planned by the full run only`);
    } else if ("identityCenterGroupId" in subject) {
      resolved.needsFullRun.push(subject);
      resolved.notes.push(
        `${subjectKey(subject)}: a group edited in Identity Center is checked by the full run (its members may come from any selector)`,
      );
    } else if ("identityCenterUserId" in subject) {
      if (identityCenter.describePrincipal === undefined)
        throw new SyncError("this Identity Center target cannot look up users by id (targeted run)");
      const found = await identityCenter.describePrincipal({ userId: subject.identityCenterUserId });
      if (found === undefined || found.kind !== "user") {
        resolved.notes.push(`${subjectKey(subject)}: no such user in Identity Center; nothing to do`);
      } else {
        resolved.userIds.push(found.id);
        resolved.refs.push({ email: userKey(found.userName) });
      }
    } else if (subject.kind === "group") {
      resolved.groupEmails.push(subject.email.toLowerCase());
    } else if ("email" in subject) {
      resolved.refs.push({ email: subject.email.toLowerCase() });
    } else {
      resolved.refs.push({ googleId: subject.googleId });
    }
  }
  return resolved;
}

/** What a targeted run plans from: the people's directory and the accounts the rules need for them. */
export interface PeopleDirectory {
  directory: Directory;
  /** The rules to evaluate: without assignments and accounts when no rule assigns people directly. */
  rules: Rules;
  accounts: AwsAccount[];
  organization?: Organization;
  /** The people by name (from Google and the subjects) and by Identity Store id. */
  people: PeopleSlice;
  notes: string[];
}

export interface PeopleDirectoryInput {
  rules: Rules;
  resolved: ResolvedSubjects;
  directory: DirectorySource;
  readAccounts: () => Promise<{ accounts: AwsAccount[]; organization?: Organization }>;
  ownership: Ownership | undefined;
}

/** Reads the people from Google (`readPeople`) and, only when the rules need them, the accounts. */
export async function readPeopleDirectory(input: PeopleDirectoryInput): Promise<PeopleDirectory> {
  const { rules, resolved } = input;
  if (input.directory.readPeople === undefined)
    throw new SyncError("this directory source cannot read single people (targeted run)");
  const read: PeopleRead = await input.directory.readPeople({
    ...directoryRequestFromRules(rules),
    people: resolved.refs,
    groups: resolved.groupEmails,
    staticUsers: rules.users.static.map((user) => userKey(user.email)),
  });
  const notes = [...resolved.notes];
  const names = new Set<string>();
  const userIds = new Set(resolved.userIds);
  const context = new Set(read.context ?? []);
  // Managers read as context inform their reports' attributes; the run plans nothing for them.
  const people = read.directory.users.filter((user) => !context.has(user.primaryEmail.toLowerCase()));
  const byPrimary = new Map(people.map((user) => [user.primaryEmail.toLowerCase(), user]));
  for (const user of people) {
    names.add(userKey(user.primaryEmail));
    for (const alias of user.aliases) names.add(userKey(alias));
  }
  for (const person of read.people) {
    if ("email" in person.ref) names.add(userKey(person.ref.email));
    if (person.found) {
      names.add(userKey(person.primaryEmail));
      if (!person.inDomains) notes.push(`${describe(person.ref)}: outside the managed domains; left alone`);
      continue;
    }
    // Gone from Google. By id, only the run state knows who they were in Identity Center.
    if ("googleId" in person.ref) {
      const owned = input.ownership?.users[person.ref.googleId];
      if (owned === undefined) {
        notes.push(
          `${describe(person.ref)}: not in Google, and no Identity Center user is recorded for it; nothing to do`,
        );
        continue;
      }
      names.add(userKey(owned.userName));
      if (owned.userId !== undefined) userIds.add(owned.userId);
    }
  }
  // A person renamed in Google is found in Identity Center by the id the run state recorded.
  for (const user of byPrimary.values()) {
    const owned = input.ownership?.users[user.id];
    if (owned?.userId !== undefined) userIds.add(owned.userId);
    if (owned !== undefined) names.add(userKey(owned.userName));
  }
  for (const group of read.groups) {
    if (group.members === undefined) notes.push(`group:email:${group.email}: not in Google; nothing to do`);
  }

  const assignsPeople = rules.assignments.some((assignment) => assignment.users.length > 0);
  const evaluated: Rules = assignsPeople ? rules : { ...rules, assignments: [], accounts: {} };
  const { accounts, organization } = assignsPeople ? await input.readAccounts() : { accounts: [] };
  return {
    directory: {
      ...read.directory,
      // Not read when nobody is active: the org units the rules name stand in (the full run checks them).
      orgUnits: read.directory.orgUnits ?? orgUnitsNamedBy(rules),
    },
    rules: evaluated,
    accounts,
    ...(organization ? { organization } : {}),
    people: { names, userIds },
    notes,
  };
}

function describe(ref: PersonRef): string {
  return "email" in ref ? `person:email:${ref.email}` : `person:google:${ref.googleId}`;
}

/** Every org unit path a selector of the rules names (orgUnit, where.orgUnitPath). */
function orgUnitsNamedBy(rules: Rules): Directory["orgUnits"] {
  const paths = new Set<string>();
  for (const group of rules.groups) {
    for (const selector of [...group.members, ...group.exclude]) {
      if ("orgUnit" in selector) paths.add(selector.orgUnit);
      if ("where" in selector && selector.where.orgUnitPath !== undefined)
        paths.add(selector.where.orgUnitPath);
    }
  }
  return [...paths].sort().map((path) => ({ path, name: path.split("/").at(-1) || path }));
}
