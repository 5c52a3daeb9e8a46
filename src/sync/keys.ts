/**
 * Stable change keys. The plan, the applier (to find dependencies) and the reports all name changes
 * through these, so a key always means the same object whatever produced it.
 */
import type { Assignment, Change, ChangeKind, CustomerManagedPolicyRef } from "./model.js";
import { changeKindOrder, PrincipalType } from "./model.js";
import { userKey } from "./scope.js";

/** "user:alice@example.com" (userName lower case). */
export function userChangeKey(userName: string): string {
  return `user:${userKey(userName)}`;
}

/** "group:developers". */
export function groupChangeKey(displayName: string): string {
  return `group:${displayName}`;
}

/** "member:developers:alice@example.com". */
export function memberChangeKey(groupName: string, userName: string): string {
  return `member:${groupName}:${userKey(userName)}`;
}

/** "permissionSet:Developer". */
export function permissionSetChangeKey(name: string): string {
  return `permissionSet:${name}`;
}

/** "provision:Developer". */
export function provisionChangeKey(name: string): string {
  return `provision:${name}`;
}

/** "assignment:GROUP:developers:Developer:111111111111" (user principals lower case). */
export function assignmentChangeKey(assignment: Assignment): string {
  const principal =
    assignment.principalType === PrincipalType.user
      ? userKey(assignment.principalName)
      : assignment.principalName;
  return `assignment:${assignment.principalType}:${principal}:${assignment.permissionSetName}:${assignment.accountId}`;
}

const kindRank = new Map<ChangeKind, number>(changeKindOrder.map((kind, index) => [kind, index]));

/** Position of a change kind in the apply order. */
export function changeKindRank(kind: ChangeKind): number {
  return kindRank.get(kind) ?? changeKindOrder.length;
}

/** Orders changes as plans list them: by `changeKindOrder`, then key (code-unit order, locale-free). */
export function compareChanges(a: Change, b: Change): number {
  const byKind = changeKindRank(a.kind) - changeKindRank(b.kind);
  if (byKind !== 0) return byKind;
  return compareStrings(a.key, b.key);
}

/** Locale-independent string order, so plans sort the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Customer managed policy references by path, then name: the one order the rules, plans and adapters use. */
export function sortCustomerPolicies(
  references: readonly CustomerManagedPolicyRef[],
): CustomerManagedPolicyRef[] {
  return [...references].sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.name, b.name));
}
