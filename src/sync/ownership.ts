/**
 * What idc-sync owns in Identity Center, between runs (issue #11). The planner takes the record as a
 * parameter and says what idc-sync will own once its plan is applied (`Plan.ownership`); the run state
 * keeps it. Pure: everything is a parameter.
 *
 * - Groups and permission sets the rules name are idc-sync's: created by it, or adopted when they
 *   existed already. When the rules stop naming one, the record is how the next plan knows to remove it
 *   (groups have no tags to mark them).
 * - Without a record (the state was lost, or no run kept one yet) the fallback is "named in the rules, or
 *   tagged managed-by=idc-sync": never "everything unknown".
 * - Google user id → Identity Store UserId: a person renamed in Google keeps their Identity Center user.
 */
import type { Change, OwnedObject, Ownership, Plan, Scope } from "./model.js";

/**
 * The scope adapters read with: the rules' scope, plus the owned groups and permission sets the rules no
 * longer name (their memberships and assignments go before they do), or, without a record, the request
 * to find permission sets by their managed-by tag.
 */
export function readScopeFor(scope: Scope, ownership: Ownership | undefined): Scope {
  if (ownership === undefined) return { ...scope, findTaggedPermissionSets: true };
  const named = new Set(scope.groupNames);
  const definedSets = new Set(scope.permissionSetNames);
  return {
    ...scope,
    ownedGroupNames: Object.keys(ownership.groups)
      .filter((name) => !named.has(name))
      .sort(),
    ownedPermissionSetNames: Object.keys(ownership.permissionSets)
      .filter((name) => !definedSets.has(name))
      .sort(),
  };
}

/**
 * The record to keep after a run: what the plan says idc-sync owns once applied, corrected for the
 * changes that did not happen (report mode, a guard stop, a failure, the deadline). A group whose
 * deletion failed stays owned, so the next run tries again; one whose creation failed is not recorded.
 * Without a plan that knows ownership, the previous record is kept as it was.
 */
export function settleOwnership(
  plan: Pick<Plan, "ownership">,
  previous: Ownership | undefined,
  unsettled: Iterable<Change>,
): Ownership | undefined {
  const after = plan.ownership;
  if (after === undefined) return previous;
  const groups: Record<string, OwnedObject> = { ...after.groups };
  const permissionSets: Record<string, OwnedObject> = { ...after.permissionSets };
  for (const change of unsettled) {
    switch (change.kind) {
      case "deleteGroup":
        groups[change.displayName] = previous?.groups[change.displayName] ?? { origin: "adopted" };
        break;
      case "createGroup":
        delete groups[change.displayName];
        break;
      case "updateGroup":
        // Not renamed yet: the group still answers to its old name, and is still idc-sync's under it.
        if (change.currentDisplayName !== change.displayName) {
          const before = previous?.groups[change.currentDisplayName] ?? groups[change.displayName];
          if (before !== undefined) groups[change.currentDisplayName] = before;
        }
        break;
      case "deletePermissionSet":
        permissionSets[change.permissionSetName] = previous?.permissionSets[change.permissionSetName] ?? {
          origin: "created",
        };
        break;
      case "createPermissionSet":
        delete permissionSets[change.permissionSet.name];
        break;
      default:
        break;
    }
  }
  return { groups: sorted(groups), permissionSets: sorted(permissionSets), users: after.users };
}

function sorted<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
