/**
 * Translation between SSO admin permission set shapes and `PermissionSetAttributes`. What an update
 * sends (Attach/Detach, Tag/Untag) the plan carries (`PermissionSetDiff`).
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

export function customerPolicyFromAws(reference: CustomerManagedPolicyReference): CustomerManagedPolicyRef {
  return { name: reference.Name ?? "", path: reference.Path ?? "/" };
}

export function customerPolicyToAws(reference: CustomerManagedPolicyRef): CustomerManagedPolicyReference {
  return { Name: reference.name, Path: reference.path || "/" };
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
