/**
 * What a permission set grants, as people read it in a plan: the lines a new permission set is shown
 * with, so a reviewer sees its policies, boundary, session duration and tags, not only its name. Pure.
 */
import type { CustomerManagedPolicyRef, PermissionSetAttributes, PermissionsBoundary } from "./model.js";
import { documentText } from "./value-diff.js";

export interface PermissionSetFact {
  label: string;
  /** One value a line; empty for none. */
  values: string[];
}

export interface PermissionSetFacts {
  facts: PermissionSetFact[];
  /** The inline policy as pretty, key-sorted JSON; undefined for none. */
  inlinePolicy?: string;
}

/**
 * Every attribute that decides what the permission set grants, none left out (an absent boundary is
 * shown as none: a reviewer should see that there is none), then its description and relay state
 * when set.
 */
export function permissionSetFacts(set: PermissionSetAttributes): PermissionSetFacts {
  const facts: PermissionSetFact[] = [
    { label: "session duration", values: [set.sessionDuration] },
    { label: "managed policies", values: [...set.managedPolicyArns] },
    { label: "customer managed policies", values: set.customerManagedPolicies.map(customerManagedText) },
    {
      label: "permissions boundary",
      values: set.permissionsBoundary ? [boundaryText(set.permissionsBoundary)] : [],
    },
    { label: "tags", values: Object.entries(set.tags).map(([key, value]) => `${key}=${value}`) },
  ];
  if (set.description) facts.unshift({ label: "description", values: [set.description] });
  if (set.relayState) facts.push({ label: "relay state", values: [set.relayState] });
  const inlinePolicy = documentText(set.inlinePolicy);
  return inlinePolicy === "" ? { facts } : { facts, inlinePolicy };
}

/** "/finance/InvoiceReader": the policy's path and name, as IAM writes them in its ARN. */
export function customerManagedText(policy: CustomerManagedPolicyRef): string {
  const path = policy.path === "" ? "/" : policy.path;
  return `${path.endsWith("/") ? path : `${path}/`}${policy.name}`;
}

function boundaryText(boundary: PermissionsBoundary): string {
  return boundary.kind === "managed"
    ? boundary.managedPolicyArn
    : `customer managed ${customerManagedText(boundary.policy)}`;
}
