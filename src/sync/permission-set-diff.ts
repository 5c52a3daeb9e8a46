/**
 * What an update of a permission set changes, as data the plan carries (the way cloudformation-diff's
 * diff values carry their additions and removals): the applier sends exactly these, and re-derives
 * nothing from the state it read. Pure.
 */
import { compareStrings, sortCustomerPolicies } from "./keys.js";
import type {
  CustomerManagedPolicyRef,
  PermissionSetAttributes,
  PermissionSetDiff,
  PermissionsBoundary,
} from "./model.js";

/** What turns `before` into `after`. Values compare exactly: the planner decided already that they differ. */
export function permissionSetDiff(
  before: PermissionSetAttributes,
  after: PermissionSetAttributes,
): PermissionSetDiff {
  return {
    attributesChanged:
      before.description !== after.description ||
      before.sessionDuration !== after.sessionDuration ||
      before.relayState !== after.relayState,
    managedPolicyArns: listDifference(before.managedPolicyArns, after.managedPolicyArns, (arn) => arn),
    customerManagedPolicies: listDifference(
      before.customerManagedPolicies,
      after.customerManagedPolicies,
      customerPolicyKey,
    ),
    inlinePolicy: inlinePolicyChange(before.inlinePolicy, after.inlinePolicy),
    permissionsBoundary:
      after.permissionsBoundary !== undefined &&
      !sameBoundary(before.permissionsBoundary, after.permissionsBoundary)
        ? "put"
        : after.permissionsBoundary === undefined && before.permissionsBoundary !== undefined
          ? "delete"
          : "unchanged",
    tags: tagDifference(before.tags, after.tags),
  };
}

/** How the inline policy moves from `before` to `after`. */
export function inlinePolicyChange(
  before: string | undefined,
  after: string | undefined,
): PermissionSetDiff["inlinePolicy"] {
  if (after !== undefined && after !== before) return "put";
  return after === undefined && before !== undefined ? "delete" : "unchanged";
}

/** Whether the diff sends nothing (the compared values were equal). */
export function isEmptyPermissionSetDiff(diff: PermissionSetDiff): boolean {
  return (
    !diff.attributesChanged &&
    diff.managedPolicyArns.added.length + diff.managedPolicyArns.removed.length === 0 &&
    diff.customerManagedPolicies.added.length + diff.customerManagedPolicies.removed.length === 0 &&
    diff.inlinePolicy === "unchanged" &&
    diff.permissionsBoundary === "unchanged" &&
    Object.keys(diff.tags.set).length + diff.tags.removedKeys.length === 0
  );
}

/** `before` with the diff applied, `after` giving the new values (what a store that keeps state does). */
export function applyPermissionSetDiff(
  before: PermissionSetAttributes,
  after: PermissionSetAttributes,
  diff: PermissionSetDiff,
): PermissionSetAttributes {
  const managedRemoved = new Set(diff.managedPolicyArns.removed);
  const customerRemoved = new Set(diff.customerManagedPolicies.removed.map(customerPolicyKey));
  const tags = { ...before.tags, ...diff.tags.set };
  for (const key of diff.tags.removedKeys) delete tags[key];
  const text = diff.attributesChanged ? after : before;
  const inlinePolicy =
    diff.inlinePolicy === "put"
      ? after.inlinePolicy
      : diff.inlinePolicy === "delete"
        ? undefined
        : before.inlinePolicy;
  const permissionsBoundary =
    diff.permissionsBoundary === "put"
      ? after.permissionsBoundary
      : diff.permissionsBoundary === "delete"
        ? undefined
        : before.permissionsBoundary;
  return {
    name: before.name,
    ...(text.description === undefined ? {} : { description: text.description }),
    sessionDuration: text.sessionDuration,
    ...(text.relayState === undefined ? {} : { relayState: text.relayState }),
    managedPolicyArns: [
      ...before.managedPolicyArns.filter((arn) => !managedRemoved.has(arn)),
      ...diff.managedPolicyArns.added,
    ].sort(compareStrings),
    customerManagedPolicies: sortCustomerPolicies([
      ...before.customerManagedPolicies.filter((policy) => !customerRemoved.has(customerPolicyKey(policy))),
      ...diff.customerManagedPolicies.added,
    ]),
    ...(inlinePolicy === undefined ? {} : { inlinePolicy }),
    ...(permissionsBoundary === undefined ? {} : { permissionsBoundary }),
    tags,
  };
}

/** A customer managed policy's identity: its path and name (the path `/` when left out). */
export function customerPolicyKey(reference: CustomerManagedPolicyRef): string {
  return `${reference.path || "/"}${reference.name}`;
}

function sameBoundary(a: PermissionsBoundary | undefined, b: PermissionsBoundary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === "managed" || b.kind === "managed")
    return (
      a.kind === b.kind &&
      a.kind === "managed" &&
      b.kind === "managed" &&
      a.managedPolicyArn === b.managedPolicyArn
    );
  return a.policy.name === b.policy.name && a.policy.path === b.policy.path;
}

/** What to add and what to remove to turn `before` into `after`, by key. */
function listDifference<T>(
  before: T[],
  after: T[],
  keyOf: (item: T) => string,
): { added: T[]; removed: T[] } {
  const beforeKeys = new Set(before.map(keyOf));
  const afterKeys = new Set(after.map(keyOf));
  return {
    added: after.filter((item) => !beforeKeys.has(keyOf(item))),
    removed: before.filter((item) => !afterKeys.has(keyOf(item))),
  };
}

function tagDifference(
  before: Record<string, string>,
  after: Record<string, string>,
): { set: Record<string, string>; removedKeys: string[] } {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(after)) if (before[key] !== value) set[key] = value;
  const removedKeys = Object.keys(before)
    .filter((key) => !(key in after))
    .sort(compareStrings);
  return { set, removedKeys };
}
