/**
 * The lower bound of API calls for one sync, computed from the data alone (never from what the run
 * did): every list page a correct sync must read, plus the fewest requests each planned change needs.
 *
 * Reads (each list counts max(1, ceil(items / page size)) pages, at the APIs' largest page sizes):
 * - Google: users.list (500 a page, every user of the customer); orgunits.list (1); members.list with
 *   derived membership (200 a page) for each Google group the rules reference. A groups.get per group is
 *   not needed: members.list already fails for a group that does not exist.
 * - Organizations (20 a page): ListRoots; ListOrganizationalUnitsForParent and ListAccountsForParent for
 *   the root and every OU; ListTagsForResource per account (tag selectors need them).
 * - Identity Store (100 a page): ListUsers; ListGroups; ListGroupMemberships for each managed group
 *   that exists, and for each group the ownership record holds that the rules no longer name.
 * - SSO admin (100 a page): ListPermissionSets; DescribePermissionSet per permission set (the list
 *   gives ARNs, not names); for each managed one that exists, its managed policies, customer managed
 *   policy references, inline policy, permissions boundary, tags and provisioned accounts (6 requests),
 *   and, for those the rules define that are provisioned somewhere, the accounts still running an older
 *   version (ListAccountsForProvisionedPermissionSet filtered by ProvisioningStatus: a failed
 *   provisioning is only seen that way).
 *   Permission sets that left the rules but are idc-sync's (in the ownership record, or, without one,
 *   tagged managed-by=idc-sync: then one tag listing per permission set the rules do not name) are read
 *   the same way, plus every assignment of them (ListAccountAssignments per provisioned account), since
 *   a permission set still assigned cannot be deleted.
 *   Assignments of managed principals: the cheaper of two complete ways to learn them, (a) one
 *   ListAccountAssignmentsForPrincipal listing per managed principal, or (b) one ListAccountAssignments
 *   listing per (permission set, account it is provisioned to), plus the provisioned-account listing of
 *   unmanaged permission sets.
 * Writes, per change: one request (createUser → CreateUser, addMember → CreateGroupMembership, ...);
 * createPermissionSet needs one more per managed policy, customer managed policy, inline policy and
 * boundary (tags ride on CreatePermissionSet); updatePermissionSet one per changed field;
 * provisionPermissionSet one per account (ALL_PROVISIONED_ACCOUNTS would fail whole for one account AWS
 * cannot reach). Asynchronous changes (account assignments, provisioning) also need one status read
 * each to know they succeeded.
 */
import type { DirectorySnapshot } from "../src/adapters/file/directory-snapshot.js";
import { expandGroupMembers } from "../src/adapters/file/directory-snapshot.js";
import type { Change, IdentityCenterState, Scope } from "../src/sync/model.js";
import {
  isManagedGroup,
  isManagedPermissionSet,
  isManagedUser,
  isProtectedGroup,
} from "../src/sync/scope.js";

/** "service:Operation" → calls. Services: google, organizations, identitystore, sso-admin. */
export type CallCounts = Record<string, number>;

const pages = (items: number, pageSize: number) => Math.max(1, Math.ceil(items / pageSize));

function add(counts: CallCounts, key: string, calls: number): void {
  if (calls > 0) counts[key] = (counts[key] ?? 0) + calls;
}

export interface ReadInputs {
  snapshot: DirectorySnapshot;
  /** Email addresses of the Google groups the rules reference. */
  groupEmails: readonly string[];
  /** The scope the run reads with (`readScopeFor`: the rules' scope and the ownership record's hints). */
  scope: Scope;
  /** Identity Center before the run (the emulator's state). */
  before: IdentityCenterState;
}

export interface ReadLowerBound {
  calls: CallCounts;
  /** Which way of reading assignments is cheaper, and what each costs. */
  assignmentReads: { perPrincipal: number; perPermissionSetAndAccount: number };
}

export function readLowerBound(inputs: ReadInputs): ReadLowerBound {
  const { snapshot, scope, before } = inputs;
  const calls: CallCounts = {};

  add(calls, "google:users.list", pages(snapshot.users.length, 500));
  add(calls, "google:orgunits.list", 1);
  for (const email of inputs.groupEmails) {
    add(calls, "google:members.list", pages(expandGroupMembers(snapshot, email).length, 200));
  }

  const organization = snapshot.organization;
  if (organization) {
    add(calls, "organizations:ListRoots", 1);
    for (const parentId of [organization.rootId, ...organization.organizationalUnits.map((ou) => ou.id)]) {
      const children = organization.organizationalUnits.filter((ou) => ou.parentId === parentId).length;
      const accounts = organization.accounts.filter((account) => account.parentId === parentId).length;
      add(calls, "organizations:ListOrganizationalUnitsForParent", pages(children, 20));
      add(calls, "organizations:ListAccountsForParent", pages(accounts, 20));
    }
    for (const account of organization.accounts) {
      add(calls, "organizations:ListTagsForResource", pages(Object.keys(account.tags).length, 20));
    }
  }

  add(calls, "identitystore:ListUsers", pages(before.users.length, 100));
  add(calls, "identitystore:ListGroups", pages(before.groups.length, 100));
  const ownedGroups = new Set(scope.ownedGroupNames ?? []);
  const managedGroups = before.groups.filter(
    (group) =>
      isManagedGroup(scope, group.displayName) ||
      (ownedGroups.has(group.displayName) && !isProtectedGroup(scope, group.displayName)),
  );
  for (const group of managedGroups) {
    add(calls, "identitystore:ListGroupMemberships", pages(group.members?.length ?? 0, 100));
  }

  add(calls, "sso-admin:ListPermissionSets", pages(before.permissionSets.length, 100));
  add(calls, "sso-admin:DescribePermissionSet", before.permissionSets.length);
  const ownedSets = new Set(scope.ownedPermissionSetNames ?? []);
  const unnamed = before.permissionSets.filter(
    (set) => !isManagedPermissionSet(scope, set.name) && !ownedSets.has(set.name),
  );
  if (scope.findTaggedPermissionSets === true) {
    for (const set of unnamed)
      add(calls, "sso-admin:ListTagsForResource", pages(Object.keys(set.tags).length + 1, 50));
  }
  const tagged = new Set(
    scope.findTaggedPermissionSets === true
      ? unnamed.filter((set) => set.managedByTag === true).map((set) => set.name)
      : [],
  );
  const managedSets = before.permissionSets.filter(
    (set) => isManagedPermissionSet(scope, set.name) || ownedSets.has(set.name) || tagged.has(set.name),
  );
  for (const set of managedSets) {
    add(calls, "sso-admin:ListManagedPoliciesInPermissionSet", pages(set.managedPolicyArns.length, 100));
    add(
      calls,
      "sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet",
      pages(set.customerManagedPolicies.length, 100),
    );
    add(calls, "sso-admin:GetInlinePolicyForPermissionSet", 1);
    add(calls, "sso-admin:GetPermissionsBoundaryForPermissionSet", 1);
    if (!tagged.has(set.name))
      add(calls, "sso-admin:ListTagsForResource", pages(Object.keys(set.tags).length + 1, 50));
    add(
      calls,
      "sso-admin:ListAccountsForProvisionedPermissionSet",
      pages(set.provisionedAccountIds.length, 100),
    );
    if (isManagedPermissionSet(scope, set.name) && set.provisionedAccountIds.length > 0) {
      add(
        calls,
        "sso-admin:ListAccountsForProvisionedPermissionSet",
        pages(set.outdatedAccountIds?.length ?? 0, 100),
      );
    }
  }

  // (a) per managed principal.
  const perPrincipalAssignments = new Map<string, number>();
  for (const assignment of before.assignments) {
    const key = `${assignment.principalType}:${assignment.principalName}`;
    perPrincipalAssignments.set(key, (perPrincipalAssignments.get(key) ?? 0) + 1);
  }
  let perPrincipal = 0;
  for (const user of before.users) {
    if (isManagedUser(scope, user.userName))
      perPrincipal += pages(perPrincipalAssignments.get(`USER:${user.userName}`) ?? 0, 100);
  }
  for (const group of managedGroups) {
    perPrincipal += pages(perPrincipalAssignments.get(`GROUP:${group.displayName}`) ?? 0, 100);
  }
  // (b) per provisioned (permission set, account).
  const perPair = new Map<string, number>();
  for (const assignment of before.assignments) {
    const key = `${assignment.permissionSetName}/${assignment.accountId}`;
    perPair.set(key, (perPair.get(key) ?? 0) + 1);
  }
  let perPermissionSetAndAccount = 0;
  const readInFull = new Set(managedSets.map((set) => set.name));
  for (const set of before.permissionSets) {
    if (!readInFull.has(set.name)) perPermissionSetAndAccount += pages(set.provisionedAccountIds.length, 100);
    for (const accountId of set.provisionedAccountIds) {
      perPermissionSetAndAccount += pages(perPair.get(`${set.name}/${accountId}`) ?? 0, 100);
    }
  }
  if (perPrincipal <= perPermissionSetAndAccount) {
    add(calls, "sso-admin:ListAccountAssignmentsForPrincipal", perPrincipal);
  } else {
    add(calls, "sso-admin:ListAccountAssignments", perPermissionSetAndAccount);
  }
  // Every assignment of a permission set that left the rules, whoever holds it.
  for (const set of managedSets) {
    if (isManagedPermissionSet(scope, set.name)) continue;
    for (const accountId of set.provisionedAccountIds) {
      add(
        calls,
        "sso-admin:ListAccountAssignments",
        pages(perPair.get(`${set.name}/${accountId}`) ?? 0, 100),
      );
    }
  }
  return { calls, assignmentReads: { perPrincipal, perPermissionSetAndAccount } };
}

/** The fewest requests that carry out `changes` (writes) and confirm the asynchronous ones (reads). */
export function applyLowerBound(changes: readonly Change[]): { writes: CallCounts; statusReads: CallCounts } {
  const writes: CallCounts = {};
  const statusReads: CallCounts = {};
  for (const change of changes) {
    switch (change.kind) {
      case "createUser":
        add(writes, "identitystore:CreateUser", 1);
        break;
      case "updateUser":
        add(writes, "identitystore:UpdateUser", 1);
        break;
      case "deleteUser":
        add(writes, "identitystore:DeleteUser", 1);
        break;
      case "createGroup":
        add(writes, "identitystore:CreateGroup", 1);
        break;
      case "updateGroup":
        add(writes, "identitystore:UpdateGroup", 1);
        break;
      case "addMember":
        add(writes, "identitystore:CreateGroupMembership", 1);
        break;
      case "removeMember":
        add(writes, "identitystore:DeleteGroupMembership", 1);
        break;
      case "createPermissionSet": {
        const set = change.permissionSet;
        add(writes, "sso-admin:CreatePermissionSet", 1);
        add(writes, "sso-admin:AttachManagedPolicyToPermissionSet", set.managedPolicyArns.length);
        add(
          writes,
          "sso-admin:AttachCustomerManagedPolicyReferenceToPermissionSet",
          set.customerManagedPolicies.length,
        );
        if (set.inlinePolicy !== undefined) add(writes, "sso-admin:PutInlinePolicyToPermissionSet", 1);
        if (set.permissionsBoundary !== undefined)
          add(writes, "sso-admin:PutPermissionsBoundaryToPermissionSet", 1);
        break;
      }
      case "updatePermissionSet":
        add(writes, "sso-admin:UpdatePermissionSet*", Math.max(1, change.fields.length));
        break;
      case "provisionPermissionSet":
        add(writes, "sso-admin:ProvisionPermissionSet", change.accountIds.length);
        add(statusReads, "sso-admin:DescribePermissionSetProvisioningStatus", change.accountIds.length);
        break;
      case "createAssignment":
        add(writes, "sso-admin:CreateAccountAssignment", 1);
        add(statusReads, "sso-admin:DescribeAccountAssignmentCreationStatus", 1);
        break;
      case "deleteAssignment":
        add(writes, "sso-admin:DeleteAccountAssignment", 1);
        add(statusReads, "sso-admin:DescribeAccountAssignmentDeletionStatus", 1);
        break;
      case "deleteGroup":
        add(writes, "identitystore:DeleteGroup", 1);
        break;
      case "deletePermissionSet":
        add(writes, "sso-admin:DeletePermissionSet", 1);
        break;
      case "createRevocationPolicy":
        add(writes, "organizations:CreatePolicy", 1);
        add(writes, "organizations:AttachPolicy", 1);
        break;
      case "updateRevocationPolicy":
        add(writes, "organizations:UpdatePolicy", 1);
        if (change.attachTo !== undefined) add(writes, "organizations:AttachPolicy", 1);
        break;
      case "deleteRevocationPolicy":
        if (change.detachFrom !== undefined) add(writes, "organizations:DetachPolicy", 1);
        add(writes, "organizations:DeletePolicy", 1);
        break;
      // A person's deny is written by the changes above; it makes no call of its own.
      case "revokeSessions":
      case "extendRevocation":
      case "endRevocation":
        break;
      default: {
        const unknown: never = change;
        throw new Error(`no lower bound for change kind ${(unknown as Change).kind}`);
      }
    }
  }
  return { writes, statusReads };
}

export function total(counts: CallCounts): number {
  return Object.values(counts).reduce((sum, calls) => sum + calls, 0);
}
