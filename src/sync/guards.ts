/**
 * Safety guards (DESIGN.md §3), checked after planning and before anything is applied. A guard never
 * trims a plan: it stops it whole, with a message that says how a person lets it through.
 */
import { SyncError } from "./errors.js";
import type { Plan } from "./model.js";
import { removalKinds } from "./model.js";
import { removalsDigest } from "./plan-digest.js";

export interface GuardContext {
  /** `safety.maxDeletions`: a number of removals, or a percentage of the plan's managed objects. */
  maxDeletions: number | `${number}%`;
  /** `--allow-deletions N`: lets up to N removals through deliberately. */
  allowDeletions?: number;
  /**
   * The removals digest (`removalsDigest`) a person approved in Slack: a plan whose removals have exactly
   * that digest passes the maxDeletions guard. Any other plan is stopped as usual and asked about again.
   */
  approvedRemovals?: string;
  /** Users the directory read returned. Zero with removals planned is never trusted. */
  directoryUserCount: number;
  /** Managed users Identity Center has, for the message of the empty-directory guard. */
  managedUserCount?: number;
}

export interface GuardViolation {
  guard: "maxDeletions" | "emptyDirectory";
  message: string;
  /** Removals the plan holds. */
  removals: number;
  /** The limit that was exceeded (maxDeletions only). */
  limit?: number;
}

export type GuardVerdict = { ok: true } | { ok: false; violations: GuardViolation[] };

/** Number of changes in the plan that remove something (users, memberships, assignments). */
export function countRemovals(plan: Plan): number {
  return plan.changes.filter((change) => removalKinds.has(change.kind)).length;
}

/**
 * The number of removals `maxDeletions` allows for this plan. A percentage is of the plan's managed
 * objects, rounded down but at least 1, so a small organisation can still lose one leaver.
 */
export function deletionLimit(
  maxDeletions: GuardContext["maxDeletions"],
  managedObjectCount: number,
): number {
  if (typeof maxDeletions === "number") {
    if (!Number.isFinite(maxDeletions))
      throw new SyncError(`maxDeletions must be a finite number, not ${maxDeletions}`);
    return Math.max(0, Math.floor(maxDeletions));
  }
  const percent = Number(maxDeletions.slice(0, -1));
  if (
    !maxDeletions.endsWith("%") ||
    maxDeletions.trim() === "%" ||
    !Number.isFinite(percent) ||
    percent < 0
  ) {
    throw new SyncError(`maxDeletions must be a number or a percentage like "10%", not "${maxDeletions}"`);
  }
  return Math.max(1, Math.floor((percent / 100) * managedObjectCount));
}

/**
 * Checks a plan against the safety limits. Returns every violation; `ok` only when none. An empty
 * directory with removals planned never passes, whatever the override: a Google read that returns
 * nobody is far likelier to be a fault than the whole company leaving.
 */
export function checkGuards(plan: Plan, context: GuardContext): GuardVerdict {
  const removals = countRemovals(plan);
  const violations: GuardViolation[] = [];

  if (context.directoryUserCount === 0 && removals > 0) {
    const managed =
      context.managedUserCount === undefined
        ? ""
        : ` while Identity Center has ${context.managedUserCount} managed user${context.managedUserCount === 1 ? "" : "s"}`;
    violations.push({
      guard: "emptyDirectory",
      removals,
      message:
        `The directory returned no users${managed}, and the plan would remove ${plural(removals, "object")}. ` +
        "Nothing is removed from an empty directory read, even with --allow-deletions; check the Google " +
        "credentials, the domains and the customer id, then re-run.",
    });
  }

  const configured = deletionLimit(context.maxDeletions, plan.managedObjectCount);
  const allowed = Math.max(0, Math.floor(context.allowDeletions ?? 0));
  const limit = Math.max(configured, allowed);
  const approved =
    context.approvedRemovals !== undefined && context.approvedRemovals === removalsDigest(plan);
  if (removals > limit && !approved) {
    const basis =
      typeof context.maxDeletions === "number"
        ? `safety.maxDeletions allows ${configured}`
        : `safety.maxDeletions ${context.maxDeletions} of ${plural(plan.managedObjectCount, "managed object")} allows ${configured}`;
    const override = allowed > 0 ? ` (--allow-deletions ${allowed} was given)` : "";
    violations.push({
      guard: "maxDeletions",
      removals,
      limit,
      message:
        `The plan would remove ${plural(removals, "object")} (${removalBreakdown(plan)}); ${basis}${override}. ` +
        `Nothing was applied. Review the plan, then re-run with --allow-deletions ${removals} to apply it.`,
    });
  }

  return violations.length === 0 ? { ok: true } : { ok: false, violations };
}

/** How many names of removed users, groups and permission sets the guard message lists. */
const namesListed = 5;

/** What would go, most consequential first: "1 group kaigodx-developers; 10 memberships; 3 assignments". */
export function removalBreakdown(plan: Pick<Plan, "changes">): string {
  const named = (kind: "deletePermissionSet" | "deleteGroup" | "deleteUser", noun: string) => {
    const names = plan.changes.flatMap((change) =>
      change.kind !== kind
        ? []
        : [
            change.kind === "deletePermissionSet"
              ? change.permissionSetName
              : change.kind === "deleteGroup"
                ? change.displayName
                : change.userName,
          ],
    );
    if (names.length === 0) return [];
    const more = names.length > namesListed ? ` and ${names.length - namesListed} more` : "";
    return [`${plural(names.length, noun)} ${names.slice(0, namesListed).join(", ")}${more}`];
  };
  const counted = (kind: "removeMember" | "deleteAssignment", noun: string) => {
    const count = plan.changes.filter((change) => change.kind === kind).length;
    return count === 0 ? [] : [plural(count, noun)];
  };
  return [
    ...named("deletePermissionSet", "permission set"),
    ...named("deleteGroup", "group"),
    ...named("deleteUser", "user"),
    ...counted("removeMember", "membership"),
    ...counted("deleteAssignment", "assignment"),
  ].join("; ");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
