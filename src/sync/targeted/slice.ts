/**
 * The slice of a world that belongs to some people: their users, their memberships, their own
 * assignments, and the changes about them. A targeted run plans from sliced inputs and keeps the sliced
 * plan, so by construction it never touches anything outside its people; the property test shows the
 * result equals the same slice of a full plan.
 */
import { dependenciesOf } from "../apply.js";
import type { Change, DesiredState, IdentityCenterState, Ownership, Plan } from "../model.js";
import { PrincipalType } from "../model.js";
import { userKey } from "../scope.js";

/** The people of a targeted run, by every name and Identity Store id they are known by. */
export interface PeopleSlice {
  /** Lower-case addresses: primary, aliases, the address a subject named, userNames found for them. */
  names: ReadonlySet<string>;
  /** Identity Store user ids (a CloudTrail subject, the ownership record's id for their Google id). */
  userIds: ReadonlySet<string>;
}

/** Adds the userNames of the users `userIds` point at, so every later check is by name. */
export function withUserNamesOf(people: PeopleSlice, actual: IdentityCenterState): PeopleSlice {
  const names = new Set(people.names);
  for (const user of actual.users) if (people.userIds.has(user.id)) names.add(userKey(user.userName));
  return { names, userIds: people.userIds };
}

const isPerson = (people: PeopleSlice, userName: string) => people.names.has(userKey(userName));

/**
 * Identity Center as it concerns the people: their users, every group with its members cut down to them
 * (members stay unknown where they were unknown), every permission set, their own assignments.
 */
export function sliceIdentityCenterState(
  actual: IdentityCenterState,
  people: PeopleSlice,
): IdentityCenterState {
  const sliced = withUserNamesOf(people, actual);
  return {
    users: actual.users.filter((user) => isPerson(sliced, user.userName)),
    groups: actual.groups.map((group) =>
      group.members === undefined
        ? group
        : { ...group, members: group.members.filter((member) => isPerson(sliced, member)) },
    ),
    permissionSets: actual.permissionSets,
    assignments: actual.assignments.filter(
      (assignment) =>
        assignment.principalType === PrincipalType.user && isPerson(sliced, assignment.principalName),
    ),
  };
}

/** The desired state as it concerns the people: the same cut as `sliceIdentityCenterState`. */
export function sliceDesiredState(desired: DesiredState, people: PeopleSlice): DesiredState {
  const keep = <V>(record: Record<string, V>) =>
    Object.fromEntries(Object.entries(record).filter(([name]) => isPerson(people, name)));
  return {
    ...desired,
    users: desired.users.filter((user) => isPerson(people, user.userName)),
    groups: desired.groups.map((group) => ({
      ...group,
      members: group.members.filter((member) => isPerson(people, member.userName)),
      ...(group.excluded
        ? { excluded: group.excluded.filter((member) => isPerson(people, member.userName)) }
        : {}),
    })),
    assignments: desired.assignments.filter(
      (assignment) =>
        assignment.principalType === PrincipalType.user && isPerson(people, assignment.principalName),
    ),
    absentReasons: keep(desired.absentReasons),
    ...(desired.absences ? { absences: keep(desired.absences) } : {}),
  };
}

/** True when the change is about one of the people (their user, membership, assignment or deny). */
function isAboutPeople(change: Change, people: PeopleSlice, leaverIds: ReadonlySet<string>): boolean {
  switch (change.kind) {
    case "createUser":
      return isPerson(people, change.user.userName);
    case "updateUser":
      return isPerson(people, change.userName) || isPerson(people, change.user.userName);
    case "deleteUser":
      return isPerson(people, change.userName);
    case "addMember":
    case "removeMember":
      return isPerson(people, change.userName);
    case "createAssignment":
    case "deleteAssignment":
      return (
        change.assignment.principalType === PrincipalType.user &&
        isPerson(people, change.assignment.principalName)
      );
    case "revokeSessions":
    case "extendRevocation":
    case "endRevocation":
      return (
        leaverIds.has(change.userId) || (change.userName !== undefined && isPerson(people, change.userName))
      );
    default:
      return false;
  }
}

/**
 * The changes of `plan` about the people, with every change they depend on (the group a membership
 * needs created or renamed first, the permission set an assignment needs, the policies a deny is
 * written into), in plan order. Leavers and held-back removals are cut the same way; notes are kept.
 */
export function slicePlan(plan: Plan, people: PeopleSlice, actual: IdentityCenterState): Plan {
  const sliced = withUserNamesOf(people, actual);
  const leaverIds = new Set([
    ...sliced.userIds,
    ...actual.users.filter((user) => isPerson(sliced, user.userName)).map((user) => user.id),
  ]);
  const keepChanges = (changes: readonly Change[]): Change[] => {
    const dependencies = dependenciesOf(changes);
    const kept = new Set<string>();
    const visit = (key: string) => {
      if (kept.has(key)) return;
      kept.add(key);
      for (const dependency of dependencies.get(key) ?? []) visit(dependency);
    };
    for (const change of changes) if (isAboutPeople(change, sliced, leaverIds)) visit(change.key);
    return changes.filter((change) => kept.has(change.key));
  };
  const heldBack = plan.heldBack
    ? { changes: keepChanges(plan.heldBack.changes), reasons: plan.heldBack.reasons }
    : undefined;
  const { heldBack: _all, ...rest } = plan;
  return {
    ...rest,
    changes: keepChanges(plan.changes),
    ...(heldBack && heldBack.changes.length > 0 ? { heldBack } : {}),
    ...(plan.leavers
      ? {
          leavers: plan.leavers.filter(
            (leaver) => isPerson(sliced, leaver.userName) || leaverIds.has(leaver.userId),
          ),
        }
      : {}),
  };
}

/** True when a change key ("user:…", "member:group:…", "assignment:USER:…") names one of the people. */
export function isKeyAboutPeople(key: string, names: ReadonlySet<string>): boolean {
  if (key.startsWith("user:")) return names.has(userKey(key.slice("user:".length)));
  if (key.startsWith("member:")) return names.has(userKey(key.slice(key.lastIndexOf(":") + 1)));
  if (key.startsWith("assignment:USER:")) {
    const rest = key.slice("assignment:USER:".length);
    // userName:permissionSet:accountId, and a userName holds no colon.
    return names.has(userKey(rest.slice(0, rest.indexOf(":"))));
  }
  return false;
}

/**
 * The digests a targeted run leaves behind: the last applied ones, with this run's for the people's
 * items and for the groups and permission sets (which it reads from the same rules as a full run).
 * Everyone else's items keep what the last full run knew.
 */
export function mergeTargetedDigests(
  current: Readonly<Record<string, string>>,
  lastApplied: Readonly<Record<string, string>> | undefined,
  names: ReadonlySet<string>,
): Record<string, string> {
  const isRulesItem = (key: string) => key.startsWith("group:") || key.startsWith("permissionSet:");
  const merged: Record<string, string> = {};
  for (const [key, digest] of Object.entries(lastApplied ?? {}))
    if (!isKeyAboutPeople(key, names) && !isRulesItem(key)) merged[key] = digest;
  return { ...merged, ...current };
}

/**
 * The ownership record after a targeted run: groups and permission sets as the run planned them on top
 * of what was known (a targeted run never removes either), and Google ids of everyone else untouched.
 */
export function mergeTargetedOwnership(
  planned: Ownership,
  previous: Ownership | undefined,
  names: ReadonlySet<string>,
): Ownership {
  const users = Object.fromEntries(
    Object.entries(previous?.users ?? {}).filter(
      ([googleId, owned]) => !names.has(userKey(owned.userName)) && planned.users[googleId] === undefined,
    ),
  );
  const sorted = <V>(record: Record<string, V>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    groups: sorted({ ...previous?.groups, ...planned.groups }),
    permissionSets: sorted({ ...previous?.permissionSets, ...planned.permissionSets }),
    users: sorted({ ...users, ...planned.users }),
  };
}
