/**
 * Drift, defined (issue #6): a difference between Identity Center and the desired state whose desired
 * side did not change since the last run that left that item in step. A change whose desired side moved
 * is a joiner, mover, leaver or rules change instead.
 *
 * The run state keeps one short digest per desired item (`DesiredDigests`): users, groups, memberships,
 * permission sets and assignments, keyed like the plan's changes. Comparing the digests of this run with
 * those kept tells which side moved. Pure: everything is a parameter.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import {
  assignmentChangeKey,
  groupChangeKey,
  memberChangeKey,
  permissionSetChangeKey,
  userChangeKey,
} from "./keys.js";
import type { Change, ChangeCause, DesiredState, Plan } from "./model.js";
import { PrincipalType } from "./model.js";
import { managerReferenceChange } from "./plan.js";
import { userKey } from "./scope.js";

/**
 * Desired item key → digest of what the rules wanted for it. A key that is missing means "not desired";
 * the value `unknownDigest` means "not known": the item was never in step while a state was kept.
 */
export type DesiredDigests = Record<string, string>;

/** Marks an item whose last applied desired side is not known, so nothing about it counts as drift. */
export const unknownDigest = "?";

/** Presence is all there is to a membership or an assignment. */
const presentDigest = "1";

/**
 * Digests of every item of the desired state. Reasons are left out: a user who is in a group through
 * another org unit now is still the same membership.
 */
export function desiredDigests(desired: DesiredState): DesiredDigests {
  const digests: DesiredDigests = {};
  for (const user of desired.users) {
    const { reason: _reason, previousUserNames: _previous, googleId: _googleId, ...attributes } = user;
    digests[userChangeKey(user.userName)] = digestOf(attributes);
  }
  for (const group of desired.groups) {
    digests[groupChangeKey(group.displayName)] = digestOf({
      displayName: group.displayName,
      description: group.description ?? "",
    });
    for (const member of group.members)
      digests[memberChangeKey(group.displayName, member.userName)] = presentDigest;
  }
  for (const { rule: _rule, ...set } of desired.permissionSets)
    digests[permissionSetChangeKey(set.name)] = digestOf(set);
  for (const assignment of desired.assignments) digests[assignmentChangeKey(assignment)] = presentDigest;
  return digests;
}

/** The desired item a change is about: its own key, or the permission set a provisioning pushes. */
export function desiredItemKey(change: Change): string {
  return change.kind === "provisionPermissionSet"
    ? permissionSetChangeKey(change.permissionSetName)
    : change.key;
}

/**
 * Sets `cause` on every change of the plan. With no previous digests (the first run that keeps state)
 * nothing is drift: there is nothing to compare with.
 */
export function classifyChanges(
  plan: Plan,
  current: DesiredDigests,
  lastApplied: DesiredDigests | undefined,
): Plan {
  const createdUsers = new Set(
    plan.changes.filter((change) => change.kind === "createUser").map((change) => change.key),
  );
  /** New user key → the key the user had before, for people renamed in this plan. */
  const renamedFrom = new Map<string, string>();
  for (const change of plan.changes) {
    if (change.kind === "updateUser" && userKey(change.userName) !== userKey(change.user.userName))
      renamedFrom.set(userChangeKey(change.user.userName), userChangeKey(change.userName));
  }
  const joined = (key: string): boolean => {
    const known = lastApplied?.[key];
    if (lastApplied === undefined || known === unknownDigest) return createdUsers.has(key);
    if (known !== undefined) return false;
    // Not in the last applied state under this name: new, unless it is someone renamed (a mover).
    const previous = renamedFrom.get(key);
    return previous === undefined || lastApplied[previous] === undefined;
  };
  /** User key → the groups the last applied state had the user in. */
  const lastGroups = new Map<string, string[]>();
  for (const item of Object.keys(lastApplied ?? {})) {
    if (!item.startsWith("member:")) continue;
    const split = item.lastIndexOf(":");
    const key = userChangeKey(item.slice(split + 1));
    lastGroups.set(key, [...(lastGroups.get(key) ?? []), item.slice("member:".length, split)]);
  }
  /** Someone whose every group left the rules leaves because the rules changed, not because they did. */
  const leftWithTheirGroups = (key: string): boolean => {
    const groups = lastGroups.get(key);
    return groups?.every((group) => current[groupChangeKey(group)] === undefined) ?? false;
  };
  const causeOf = (change: Change): ChangeCause => {
    const item = desiredItemKey(change);
    if (lastApplied !== undefined) {
      const before = lastApplied[item];
      if (before !== unknownDigest && before === current[item]) return "drift";
    }
    if (leftTheRules(change, current)) return "rules";
    const manager = change.kind === "updateUser" ? managerReferenceChange(change.fields) : undefined;
    // The manager joined or left, not the person who reports to them.
    if (
      manager?.to !== undefined &&
      manager.from === undefined &&
      createdUsers.has(userChangeKey(manager.to))
    )
      return "joiner";
    if (
      manager?.from !== undefined &&
      manager.to === undefined &&
      current[userChangeKey(manager.from)] === undefined
    )
      return "leaver";
    const subject = userSubject(change);
    if (subject === undefined) return "rules";
    const key = userChangeKey(subject);
    if (current[key] === undefined) return leftWithTheirGroups(key) ? "rules" : "leaver";
    return joined(key) ? "joiner" : "mover";
  };
  return { ...plan, changes: plan.changes.map((change) => ({ ...change, cause: causeOf(change) })) };
}

/**
 * The digests to keep after a run: this run's for every item now in step, the previous ones (or
 * "unknown" when there were none) for items whose change did not happen (report mode, a guard stop, a
 * failure, the deadline).
 */
export function nextAppliedDigests(
  current: DesiredDigests,
  lastApplied: DesiredDigests | undefined,
  unsettled: Iterable<Change>,
): DesiredDigests {
  const next: DesiredDigests = { ...current };
  for (const change of unsettled) {
    const item = desiredItemKey(change);
    const before = lastApplied === undefined ? unknownDigest : lastApplied[item];
    if (before === undefined) delete next[item];
    else next[item] = before;
  }
  return next;
}

/** A removal because its group or permission set is no longer desired at all: the rules changed. */
function leftTheRules(change: Change, current: DesiredDigests): boolean {
  switch (change.kind) {
    case "removeMember":
      return current[groupChangeKey(change.groupName)] === undefined;
    case "deleteAssignment":
      return (
        current[permissionSetChangeKey(change.assignment.permissionSetName)] === undefined ||
        (change.assignment.principalType === PrincipalType.group &&
          current[groupChangeKey(change.assignment.principalName)] === undefined)
      );
    default:
      return false;
  }
}

/** The person a change is about, when it is about one. */
function userSubject(change: Change): string | undefined {
  switch (change.kind) {
    case "createUser":
    case "updateUser":
      return change.user.userName;
    case "deleteUser":
    case "addMember":
    case "removeMember":
      return change.userName;
    case "createAssignment":
    case "deleteAssignment":
      return change.assignment.principalType === PrincipalType.user
        ? change.assignment.principalName
        : undefined;
    default:
      return undefined;
  }
}

/** 72 bits of SHA-256, base64url: short enough to keep one per membership, wide enough never to collide. */
function digestOf(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("base64url").slice(0, 12);
}
