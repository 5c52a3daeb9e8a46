/**
 * Translation between SSO admin permission set shapes and `PermissionSetAttributes`, and the list
 * differences an update has to send (Attach/Detach, Tag/Untag).
 */
import type {
  PermissionsBoundary as AwsBoundary,
  CustomerManagedPolicyReference,
  Tag,
} from "@aws-sdk/client-sso-admin";
import { compareStrings } from "../../sync/keys.js";
import type { CustomerManagedPolicyRef, PermissionsBoundary } from "../../sync/model.js";

/** Tag idc-sync puts on every permission set it creates. It is the adapter's own marker, hidden from reads. */
export const managedByTag = { key: "managed-by", value: "idc-sync" } as const;

export function boundaryFromAws(boundary: AwsBoundary | undefined): PermissionsBoundary | undefined {
  if (!boundary) return undefined;
  if (boundary.ManagedPolicyArn) return { kind: "managed", managedPolicyArn: boundary.ManagedPolicyArn };
  const reference = boundary.CustomerManagedPolicyReference;
  if (reference?.Name) {
    return { kind: "customerManaged", policy: { name: reference.Name, path: reference.Path ?? "/" } };
  }
  return undefined;
}

export function boundaryToAws(boundary: PermissionsBoundary): AwsBoundary {
  return boundary.kind === "managed"
    ? { ManagedPolicyArn: boundary.managedPolicyArn }
    : { CustomerManagedPolicyReference: { Name: boundary.policy.name, Path: boundary.policy.path } };
}

export function sameBoundary(
  a: PermissionsBoundary | undefined,
  b: PermissionsBoundary | undefined,
): boolean {
  return JSON.stringify(a && boundaryToAws(a)) === JSON.stringify(b && boundaryToAws(b));
}

export function customerPolicyFromAws(reference: CustomerManagedPolicyReference): CustomerManagedPolicyRef {
  return { name: reference.Name ?? "", path: reference.Path ?? "/" };
}

export function customerPolicyToAws(reference: CustomerManagedPolicyRef): CustomerManagedPolicyReference {
  return { Name: reference.name, Path: reference.path || "/" };
}

export function customerPolicyKey(reference: CustomerManagedPolicyRef): string {
  return `${reference.path || "/"}${reference.name}`;
}

/** Tags as the model sees them: the managed-by marker left out. */
export function tagsFromAws(tags: Tag[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const tag of tags) {
    if (tag.Key === undefined || tag.Key === managedByTag.key) continue;
    result[tag.Key] = tag.Value ?? "";
  }
  return result;
}

export function tagsToAws(tags: Record<string, string>): Tag[] {
  return Object.entries(tags)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([Key, Value]) => ({ Key, Value }));
}

/** What to add and what to remove to turn `before` into `after`, by key. */
export function listDifference<T>(
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

/** Tags to set (new or changed values) and keys to remove; the managed-by marker is never removed. */
export function tagDifference(
  before: Record<string, string>,
  after: Record<string, string>,
): { set: Record<string, string>; removedKeys: string[] } {
  const set: Record<string, string> = {};
  for (const [key, value] of Object.entries(after)) if (before[key] !== value) set[key] = value;
  const removedKeys = Object.keys(before)
    .filter((key) => !(key in after) && key !== managedByTag.key)
    .sort(compareStrings);
  return { set, removedKeys };
}
