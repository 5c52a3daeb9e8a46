/**
 * A short, stable name for the removals a plan would make: the value an Approve button carries and the
 * run state keeps, so a later run can tell whether the plan it made is the one a person approved. Only
 * what would be removed counts (kind and key of each removal, sorted): the additions and changes of a plan
 * are never guarded, and two runs that would remove the same things have the same digest whatever else
 * moved in between. Pure: the same removals always give the same digest.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";
import { compareStrings } from "./keys.js";
import type { Change, Plan } from "./model.js";
import { removalKinds } from "./model.js";

/** The changes of a plan that remove something, in plan order. */
export function removalsOf(plan: Pick<Plan, "changes">): Change[] {
  return plan.changes.filter((change) => removalKinds.has(change.kind));
}

/**
 * "rm1-" and 32 base64url characters (192 bits of SHA-256) of the canonical list of `[kind, key]` of the
 * plan's removals. Long enough that two different sets of removals never share one by chance; short
 * enough for a Slack button value (2,000 characters at most).
 */
export function removalsDigest(plan: Pick<Plan, "changes">): string {
  const removals = removalsOf(plan)
    .map((change) => [change.kind, change.key] as const)
    .sort((a, b) => compareStrings(a[1], b[1]) || compareStrings(a[0], b[0]));
  return `rm1-${createHash("sha256").update(canonicalJson(removals)).digest("base64url").slice(0, 32)}`;
}
