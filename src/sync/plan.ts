/**
 * The planner: desired state + actual state + scope → an ordered list of changes. Pure and
 * deterministic: every input collection is sorted before use, so the plan does not depend on the order
 * in which adapters or the mapping listed things.
 */
import { canonicalJson } from "./canonical-json.js";
import {
  assignmentChangeKey,
  compareChanges,
  compareStrings,
  groupChangeKey,
  memberChangeKey,
  permissionSetChangeKey,
  provisionChangeKey,
  sortCustomerPolicies,
  userChangeKey,
} from "./keys.js";
import type {
  Assignment,
  Change,
  CustomerManagedPolicyRef,
  DesiredAssignment,
  DesiredGroup,
  DesiredMember,
  DesiredPermissionSet,
  DesiredState,
  DesiredUser,
  EnterpriseAttributes,
  FieldChange,
  IcGroup,
  IcPermissionSet,
  IcUser,
  IdentityCenterState,
  OwnedObject,
  OwnedUser,
  Ownership,
  PermissionSetAttributes,
  PermissionsBoundary,
  Plan,
  Scope,
  ScopeNote,
  UserAttributes,
} from "./model.js";
import { PrincipalType } from "./model.js";
import { permissionSetDiff } from "./permission-set-diff.js";
import {
  isManagedGroup,
  isManagedPermissionSet,
  isManagedUser,
  isProtectedGroup,
  isProtectedPrincipal,
  isProtectedUser,
  userKey,
} from "./scope.js";

/** Reason used for a leaver the directory says nothing about. */
export const notInGoogleReason = "not in Google";
/** Reason used for an assignment of a managed principal that no rule grants. */
export const notGrantedReason = "not granted by any rule";

/** How many names an aggregate "left alone" note lists before saying "and N more". */
const noteNameSample = 5;

/**
 * Computes the changes that bring Identity Center from `actual` to `desired`, inside `scope` only.
 * Pure and deterministic: the result does not depend on the order of any input list, and is empty
 * when Identity Center already matches. Renames (a managed user found under one of a desired user's
 * previous userNames, a managed group under one of a desired group's previous names) become one
 * update that keeps memberships and assignments, never a delete and a create.
 *
 * `ownership` is what the run state remembers idc-sync owns (`undefined`: lost, or never kept). With it,
 * a group or permission set that left the rules is removed, its memberships and assignments first, and a
 * person renamed in Google is found by their Google id. Without it the plan falls back to "named in the
 * rules, or tagged managed-by=idc-sync": it never removes anything it cannot tell is its own.
 */
export function computePlan(
  desired: DesiredState,
  actual: IdentityCenterState,
  scope: Scope,
  ownership?: Ownership,
): Plan {
  return new Planner(desired, actual, scope, ownership).plan();
}

class Planner {
  private readonly changes: Change[] = [];
  private readonly notes = new Map<string, ScopeNote>();

  /** Every desired user by lower-case userName (managed or not). */
  private readonly desiredUsers: Map<string, DesiredUser>;
  /** Desired users idc-sync acts on. */
  private readonly managedDesiredUsers: Map<string, DesiredUser>;
  private readonly desiredGroups: Map<string, DesiredGroup>;
  private readonly managedDesiredGroups: Map<string, DesiredGroup>;
  private readonly desiredPermissionSets: Map<string, DesiredPermissionSet>;
  private readonly actualUsers: Map<string, IcUser>;
  private readonly actualUsersById: Map<string, IcUser>;
  private readonly actualGroups: Map<string, IcGroup>;
  private readonly actualPermissionSets: Map<string, IcPermissionSet>;
  private readonly actualAssignments: Assignment[];

  /** Lower-case userNames of users another provisioner owns (ExternalIds) that idc-sync leaves alone. */
  private readonly externallyProvisioned = new Set<string>();
  /** Groups idc-sync owns that the rules no longer name → why they go. */
  private readonly retiringGroups = new Map<string, string>();
  /** Permission sets idc-sync owns that the rules no longer define → why they go. */
  private readonly retiringPermissionSets = new Map<string, string>();

  /** Old lower-case userName → desired user it becomes. */
  private readonly userRenames = new Map<string, DesiredUser>();
  /** Old group displayName → desired group it becomes. */
  private readonly groupRenames = new Map<string, DesiredGroup>();
  /** The reverse maps: new name → old name. */
  private readonly userRenameSources = new Map<string, string>();
  private readonly groupRenameSources = new Map<string, string>();
  /** New lower-case userName → the Google id that found the user, for renames found that way. */
  private readonly renamedByGoogleId = new Map<string, string>();
  /** Managed actual users that are not desired, by their name after the plan (lower case) → reason. */
  private readonly leavers = new Map<string, string>();
  /** Inactive account id → what the plan left alone there ("2 assignments", "provisioning of Developer"). */
  private readonly leftInInactiveAccounts = new Map<
    string,
    { assignments: number; provisioning: Set<string> }
  >();

  constructor(
    private readonly desired: DesiredState,
    actual: IdentityCenterState,
    private readonly scope: Scope,
    private readonly ownership: Ownership | undefined,
  ) {
    this.desiredUsers = indexBy(desired.users, (u) => userKey(u.userName));
    this.managedDesiredUsers = new Map();
    this.desiredGroups = indexBy(desired.groups, (g) => g.displayName);
    this.managedDesiredGroups = new Map();
    this.desiredPermissionSets = indexBy(desired.permissionSets, (p) => p.name);
    this.actualUsers = indexBy(actual.users, (u) => userKey(u.userName));
    this.actualUsersById = new Map([...this.actualUsers.values()].map((user) => [user.id, user]));
    this.actualGroups = indexBy(actual.groups, (g) => g.displayName);
    this.actualPermissionSets = indexBy(actual.permissionSets, (p) => p.name);
    this.actualAssignments = sortedBy(actual.assignments, (a) => assignmentChangeKey(a));
    if (scope.externallyProvisioned !== "manage") {
      for (const [key, user] of this.actualUsers) {
        if ((user.externalIds?.length ?? 0) > 0 && isManagedUser(scope, key))
          this.externallyProvisioned.add(key);
      }
    }
  }

  plan(): Plan {
    this.selectManagedDesiredUsers();
    this.selectManagedDesiredGroups();
    this.findRetiringObjects();
    this.findUserRenames();
    this.findGroupRenames();
    this.planUsers();
    this.planGroups();
    this.planMemberships();
    this.planPermissionSets();
    this.planAssignments();
    this.noteInactiveAccounts();
    this.noteUnmanagedActuals();
    return {
      changes: [...this.changes].sort(compareChanges),
      notes: [...this.notes.values()].sort(compareNotes),
      managedObjectCount: this.countManagedObjects(),
      ownership: this.ownershipAfter(),
      externallyProvisionedUsers: [...this.externallyProvisioned]
        .map((key) => this.actualUsers.get(key)?.userName ?? key)
        .sort(compareStrings),
      leavers: [...this.leavers]
        .sort(([a], [b]) => compareStrings(a, b))
        .flatMap(([key, reason]) => {
          const user = this.actualUsers.get(key);
          return user === undefined ? [] : [{ userName: user.userName, userId: user.id, reason }];
        }),
    };
  }

  // ─── What idc-sync manages ────────────────────────────────────────────────────────────────────────

  /** A user idc-sync may create, change or delete: in scope, and not another provisioner's. */
  private manages(userName: string): boolean {
    return isManagedUser(this.scope, userName) && !this.externallyProvisioned.has(userKey(userName));
  }

  /** A group whose memberships and assignments idc-sync reconciles: named in the rules, or retiring. */
  private managesGroup(displayName: string): boolean {
    return isManagedGroup(this.scope, displayName) || this.retiringGroups.has(displayName);
  }

  private managesAssignment(assignment: Assignment): boolean {
    return assignment.principalType === PrincipalType.user
      ? this.manages(assignment.principalName)
      : this.managesGroup(assignment.principalName);
  }

  // ─── Selection and renames ────────────────────────────────────────────────────────────────────────

  private selectManagedDesiredUsers(): void {
    for (const [key, user] of this.desiredUsers) {
      if (isProtectedUser(this.scope, key)) {
        this.note("protected", user.userName, "in the rules but protected by safety.protect; left alone");
      } else if (!isManagedUser(this.scope, key)) {
        this.note("unmanagedUser", user.userName, "in the rules but outside the managed domains; left alone");
      } else if (this.externallyProvisioned.has(key)) {
        // Noted once with the others in noteUnmanagedActuals.
      } else {
        this.managedDesiredUsers.set(key, user);
      }
    }
  }

  private selectManagedDesiredGroups(): void {
    for (const [name, group] of this.desiredGroups) {
      if (isProtectedGroup(this.scope, name)) {
        this.note("protected", name, "in the rules but protected by safety.protect; left alone");
      } else if (!isManagedGroup(this.scope, name)) {
        this.note(
          "unmanagedGroup",
          name,
          "in the desired state but not in the scope's group names; left alone",
        );
      } else {
        this.managedDesiredGroups.set(name, group);
      }
    }
  }

  /**
   * Groups and permission sets idc-sync owns that the rules no longer name. Owned means in the ownership
   * record; when the record is lost, a permission set tagged managed-by=idc-sync (groups carry no tags,
   * so without the record a group the rules dropped is left alone).
   */
  private findRetiringObjects(): void {
    for (const name of this.actualGroups.keys()) {
      if (isManagedGroup(this.scope, name) || isProtectedGroup(this.scope, name)) continue;
      const owned = this.ownership?.groups[name];
      if (owned !== undefined) this.retiringGroups.set(name, removedReason(owned, name));
    }
    for (const [name, set] of this.actualPermissionSets) {
      if (isManagedPermissionSet(this.scope, name)) continue;
      const owned =
        this.ownership === undefined
          ? set.managedByTag === true
            ? ({ origin: "created" } satisfies OwnedObject)
            : undefined
          : this.ownership.permissionSets[name];
      if (owned !== undefined) this.retiringPermissionSets.set(name, removedReason(owned, name));
    }
  }

  /**
   * Finds each managed desired user's Identity Center user when it is not under the same userName:
   * first by Google id (the run state records which user each Google id became), then by the person's
   * Google aliases. An id match wins over an exact userName match only when that name will be freed by
   * another rename (an address given to someone new after its owner was renamed).
   */
  private findUserRenames(): void {
    const claims = this.googleIdClaims();
    for (const [key, user] of this.managedDesiredUsers) {
      const claimed = claims.get(key);
      if (claimed !== undefined) {
        this.userRenames.set(claimed, user);
        this.userRenameSources.set(key, claimed);
        this.renamedByGoogleId.set(key, user.googleId ?? "");
      }
    }
    for (const [key, user] of this.managedDesiredUsers) {
      if (this.userRenameSources.has(key) || this.hasOwnUser(key)) continue;
      const candidates = [...new Set(user.previousUserNames.map(userKey))].sort(compareStrings);
      for (const previous of candidates) {
        const found = this.actualUsers.get(previous);
        if (
          found !== undefined &&
          this.manages(found.userName) &&
          !this.desiredUsers.has(previous) &&
          !this.userRenames.has(previous)
        ) {
          this.userRenames.set(previous, user);
          this.userRenameSources.set(key, previous);
          break;
        }
      }
    }
  }

  /** True when an actual user has this userName and no rename takes it elsewhere. */
  private hasOwnUser(key: string): boolean {
    return this.actualUsers.has(key) && !this.userRenames.has(key);
  }

  /** Desired userName (lower case) → the actual user (lower case) its Google id points at, for renames. */
  private googleIdClaims(): Map<string, string> {
    const byDesired = new Map<string, string>();
    const byActual = new Map<string, string>();
    if (this.ownership === undefined) return byDesired;
    for (const [key, user] of this.managedDesiredUsers) {
      if (user.googleId === undefined) continue;
      const record = this.ownership.users[user.googleId];
      // A recorded id is the only way to the user; the name is used only while no run has seen the id
      // (a user with that name now may be someone else, once the recorded user is gone).
      const found =
        record === undefined
          ? undefined
          : record.userId !== undefined
            ? this.actualUsersById.get(record.userId)
            : this.actualUsers.get(userKey(record.userName));
      if (found === undefined || !this.manages(found.userName)) continue;
      const foundKey = userKey(found.userName);
      if (byActual.has(foundKey)) continue;
      byActual.set(foundKey, key);
      if (foundKey !== key) byDesired.set(key, foundKey);
    }
    // The desired name belongs to another user nobody's id claims: that user is the person (the id
    // record is stale, or the user was made by hand); the id's user is then a leaver, not a rename.
    for (const [key, foundKey] of [...byDesired]) {
      const holder = byActual.get(key);
      if (this.actualUsers.has(key) && (holder === undefined || holder === key)) {
        byDesired.delete(key);
        byActual.delete(foundKey);
      }
    }
    return byDesired;
  }

  private findGroupRenames(): void {
    for (const [name, group] of this.managedDesiredGroups) {
      if (this.actualGroups.has(name)) continue;
      const candidates = [...new Set(group.previousNames)].sort(compareStrings);
      for (const previous of candidates) {
        if (
          this.actualGroups.has(previous) &&
          isManagedGroup(this.scope, previous) &&
          !this.desiredGroups.has(previous) &&
          !this.groupRenames.has(previous)
        ) {
          this.groupRenames.set(previous, group);
          this.groupRenameSources.set(name, previous);
          break;
        }
      }
    }
  }

  /** The actual user a managed desired user corresponds to: renamed from an old one, or the same name. */
  private actualUserFor(key: string): { user: IcUser; renamedFrom?: string } | undefined {
    const previous = this.userRenameSources.get(key);
    if (previous !== undefined) {
      const user = this.actualUsers.get(previous);
      return user === undefined ? undefined : { user, renamedFrom: user.userName };
    }
    return this.hasOwnUser(key) ? { user: this.actualUsers.get(key)! } : undefined;
  }

  private actualGroupFor(name: string): { group: IcGroup; renamedFrom?: string } | undefined {
    const same = this.actualGroups.get(name);
    if (same !== undefined) return { group: same };
    const previous = this.groupRenameSources.get(name);
    const group = previous === undefined ? undefined : this.actualGroups.get(previous);
    return group === undefined ? undefined : { group, renamedFrom: previous };
  }

  /** The name a user will have once the plan's renames are applied (as Identity Center spells it otherwise). */
  private userNameAfter(userName: string): string {
    return this.userRenames.get(userKey(userName))?.userName ?? userName;
  }

  private groupNameAfter(displayName: string): string {
    return this.groupRenames.get(displayName)?.displayName ?? displayName;
  }

  // ─── Users ────────────────────────────────────────────────────────────────────────────────────────

  private planUsers(): void {
    for (const [key, wanted] of this.managedDesiredUsers) {
      const match = this.actualUserFor(key);
      if (match === undefined) {
        this.changes.push({
          kind: "createUser",
          key: userChangeKey(key),
          reason: wanted.reason,
          user: userAttributesOf(wanted),
        });
        continue;
      }
      const { user: current, renamedFrom } = match;
      const fields = userFieldChanges(wanted, this.withManagerAfterRenames(current));
      if (renamedFrom !== undefined)
        fields.unshift({ field: "userName", from: renamedFrom, to: wanted.userName });
      if (fields.length === 0) continue;
      const googleId = this.renamedByGoogleId.get(key);
      this.changes.push({
        kind: "updateUser",
        key: userChangeKey(key),
        reason:
          renamedFrom === undefined
            ? (this.managerReason(fields) ??
              `changed in the directory: ${fields.map((f) => f.field).join(", ")}`)
            : googleId !== undefined
              ? `renamed in Google (same Google id ${googleId}): ${renamedFrom} is now ${wanted.userName}`
              : `renamed in the directory: ${renamedFrom} is now ${wanted.userName}`,
        userName: current.userName,
        user: updatedUserAttributes(wanted, current),
        fields,
      });
    }

    for (const [key, current] of this.actualUsers) {
      if (this.userRenames.has(key) || this.desiredUsers.has(key)) continue;
      if (isProtectedUser(this.scope, key)) {
        this.note("protected", current.userName, "protected by safety.protect; left alone");
        continue;
      }
      if (!this.manages(key)) continue;
      const reason = this.absentReason(key);
      this.leavers.set(key, reason);
      if (this.scope.leavers === "delete") {
        this.changes.push({
          kind: "deleteUser",
          key: userChangeKey(key),
          reason,
          userName: current.userName,
        });
      }
    }
  }

  /**
   * Identity Center keeps the manager as a user id, which a rename keeps: a manager renamed in this plan
   * is still the same manager, not a change to the people who report to them.
   */
  private withManagerAfterRenames(current: IcUser): IcUser {
    const manager = current.enterprise?.manager;
    if (manager === undefined) return current;
    const after = this.userNameAfter(manager);
    return after === manager
      ? current
      : { ...current, enterprise: { ...current.enterprise, manager: after } };
  }

  /**
   * Why a person's manager reference changes when nothing about the person did: the manager gets an
   * Identity Center user in this plan (it could not be set before), or no longer has one to point at.
   */
  private managerReason(fields: FieldChange[]): string | undefined {
    const change = managerReferenceChange(fields);
    if (change?.to !== undefined && change.from === undefined) {
      const manager = userKey(change.to);
      if (this.managedDesiredUsers.has(manager) && this.actualUserFor(manager) === undefined)
        return `manager ${change.to} gets an Identity Center user in this plan`;
    }
    if (change?.from !== undefined && change.to === undefined && !this.desiredUsers.has(userKey(change.from)))
      return `manager ${change.from} is no longer provisioned by the rules`;
    return undefined;
  }

  private absentReason(userName: string): string {
    return this.desired.absentReasons[userKey(userName)] ?? notInGoogleReason;
  }

  // ─── Groups and memberships ───────────────────────────────────────────────────────────────────────

  private planGroups(): void {
    for (const [name, wanted] of this.managedDesiredGroups) {
      const match = this.actualGroupFor(name);
      if (match === undefined) {
        this.changes.push({
          kind: "createGroup",
          key: groupChangeKey(name),
          reason: "defined in the rules",
          displayName: name,
          ...optional("description", wanted.description),
        });
        continue;
      }
      const { group: current, renamedFrom } = match;
      const fields: FieldChange[] = [];
      if (renamedFrom !== undefined) fields.push({ field: "displayName", from: renamedFrom, to: name });
      if (blankToUndefined(wanted.description) !== blankToUndefined(current.description)) {
        fields.push({
          field: "description",
          from: current.description ?? null,
          to: wanted.description ?? null,
        });
      }
      if (fields.length === 0) continue;
      this.changes.push({
        kind: "updateGroup",
        key: groupChangeKey(name),
        reason:
          renamedFrom !== undefined
            ? `renamed in the rules from ${renamedFrom}`
            : "description changed in the rules",
        currentDisplayName: current.displayName,
        displayName: name,
        ...optional("description", wanted.description),
        fields,
      });
    }

    for (const [name, reason] of this.retiringGroups) {
      const group = this.actualGroups.get(name);
      if (group === undefined) continue;
      if (group.members === undefined) {
        this.note("keptInUse", name, `${reason}, but its memberships were not read; the group is kept`);
        continue;
      }
      const guarded = group.members.filter((member) => isProtectedUser(this.scope, member));
      if (guarded.length > 0) {
        this.note(
          "keptInUse",
          name,
          `${reason}, but protected ${guarded.length === 1 ? "user" : "users"} ${guarded.sort(compareStrings).join(", ")} ${guarded.length === 1 ? "is a member" : "are members"}; the group is kept`,
        );
        continue;
      }
      this.changes.push({ kind: "deleteGroup", key: groupChangeKey(name), reason, displayName: name });
    }
  }

  /** May a desired member be added? Only users that will exist and that idc-sync may touch. */
  private canBeMember(userName: string, groupName: string): boolean {
    const key = userKey(userName);
    if (isProtectedUser(this.scope, key)) {
      this.note(
        "protected",
        userName,
        `member of ${groupName} in the rules but protected; membership left alone`,
      );
      return false;
    }
    if (this.managedDesiredUsers.has(key)) return true;
    if (this.manages(key)) return false; // a managed user the rules do not want: a leaver
    if (this.actualUsers.has(key) && !this.userRenames.has(key)) return true; // unmanaged, exists, untouched
    this.note(
      "unmanagedUser",
      userName,
      `member of ${groupName} in the rules but neither managed nor in Identity Center`,
    );
    return false;
  }

  private planMemberships(): void {
    // Groups whose memberships idc-sync reconciles: managed actual groups (by their name after the
    // plan), managed desired groups, which exist once createGroup has run, and retiring groups.
    const groupNames = new Set<string>(this.managedDesiredGroups.keys());
    for (const name of this.actualGroups.keys()) {
      if (isManagedGroup(this.scope, name)) groupNames.add(this.groupNameAfter(name));
    }
    for (const name of this.retiringGroups.keys()) groupNames.add(name);
    for (const groupName of [...groupNames].sort(compareStrings)) {
      const wanted = this.managedDesiredGroups.get(groupName);
      const current = this.actualGroupFor(groupName)?.group;
      if (current !== undefined && current.members === undefined) {
        this.note("unmanagedGroup", groupName, "memberships were not read; membership changes skipped");
        continue;
      }

      const desiredMembers = new Map<string, DesiredMember>();
      for (const member of sortedBy(
        wanted?.members ?? [],
        (m) => `${userKey(m.userName)}\u0000${m.reason}`,
      )) {
        const key = userKey(member.userName);
        if (!desiredMembers.has(key) && this.canBeMember(member.userName, groupName))
          desiredMembers.set(key, member);
      }
      const actualMembers = new Map<string, string>();
      for (const member of current?.members ?? []) {
        const after = this.userNameAfter(member);
        actualMembers.set(userKey(after), after);
      }

      for (const [key, member] of desiredMembers) {
        if (actualMembers.has(key)) continue;
        this.changes.push({
          kind: "addMember",
          key: memberChangeKey(groupName, key),
          reason: member.reason,
          groupName,
          userName: member.userName,
        });
      }
      const retiring = this.retiringGroups.get(groupName);
      for (const [key, userName] of actualMembers) {
        if (desiredMembers.has(key) || isProtectedUser(this.scope, key)) continue;
        this.changes.push({
          kind: "removeMember",
          key: memberChangeKey(groupName, key),
          reason: retiring ?? this.leavers.get(key) ?? `no longer matched by the rules for ${groupName}`,
          groupName,
          userName,
        });
      }
    }

    if (this.scope.leavers === "strip") this.noteLeaversInUnmanagedGroups();
  }

  private noteLeaversInUnmanagedGroups(): void {
    for (const [name, group] of this.actualGroups) {
      if (this.managesGroup(name) || group.members === undefined) continue;
      for (const member of group.members) {
        if (this.leavers.has(userKey(member))) {
          this.note(
            "unmanagedGroup",
            name,
            `keeps leaver ${member} as a member; the group is not managed by idc-sync`,
          );
        }
      }
    }
  }

  // ─── Permission sets ──────────────────────────────────────────────────────────────────────────────

  private planPermissionSets(): void {
    for (const [name, wanted] of this.desiredPermissionSets) {
      if (!isManagedPermissionSet(this.scope, name)) continue;
      const current = this.actualPermissionSets.get(name);
      if (current === undefined) {
        this.changes.push({
          kind: "createPermissionSet",
          key: permissionSetChangeKey(name),
          reason: "defined in the rules",
          permissionSet: permissionSetAttributesOf(wanted),
        });
        continue;
      }
      const target = withUnmanagedTextKept(wanted, current);
      const fields = permissionSetFieldChanges(target, current);
      if (fields.length > 0) {
        this.changes.push({
          kind: "updatePermissionSet",
          key: permissionSetChangeKey(name),
          reason: `changed in the rules: ${fields.map((f) => f.field).join(", ")}`,
          permissionSet: permissionSetAttributesOf(target),
          diff: permissionSetDiff(permissionSetAttributesOf(current), permissionSetAttributesOf(target)),
          fields,
        });
        this.planProvisioning(
          name,
          current.provisionedAccountIds,
          (count) => `push the new version to ${count} account${count === 1 ? "" : "s"} already using it`,
        );
      } else {
        // Nothing to change, but an earlier provisioning failed or was cut short: the accounts it did not
        // reach still run the old version (a permission the rules took away is still granted there).
        this.planProvisioning(
          name,
          current.outdatedAccountIds ?? [],
          (count) =>
            `the latest version has not reached ${count} account${count === 1 ? "" : "s"} using it (a provisioning failed or was cut short)`,
        );
      }
    }
  }

  /** `~ provision` of the permission set to these accounts, when there are any. */
  private planProvisioning(
    name: string,
    accountIds: readonly string[],
    reason: (count: number) => string,
  ): void {
    const accounts = [...new Set(accountIds)]
      .filter((accountId) => {
        if (!this.isInactiveAccount(accountId)) return true;
        this.leftInInactive(accountId).provisioning.add(name);
        return false;
      })
      .sort(compareStrings);
    if (accounts.length === 0) return;
    this.changes.push({
      kind: "provisionPermissionSet",
      key: provisionChangeKey(name),
      reason: reason(accounts.length),
      permissionSetName: name,
      accountIds: accounts,
    });
  }

  // ─── Assignments ──────────────────────────────────────────────────────────────────────────────────

  private planAssignments(): void {
    const wanted = new Map<string, DesiredAssignment>();
    for (const assignment of sortedBy(
      this.desired.assignments,
      (a) => `${assignmentChangeKey(a)}\u0000${a.reason}`,
    )) {
      const key = assignmentChangeKey(assignment);
      if (wanted.has(key) || this.isInactiveAccount(assignment.accountId) || !this.canBeAssigned(assignment))
        continue;
      wanted.set(key, normalizeAssignment(assignment));
    }

    /** Retiring permission set → principals whose assignments of it idc-sync may not remove. */
    const keptBy = new Map<string, Set<string>>();
    /** Retiring permission set → inactive accounts it is still assigned in (AWS cannot remove those). */
    const keptIn = new Map<string, Set<string>>();
    const current = new Map<string, Assignment>();
    for (const assignment of this.actualAssignments) {
      if (!this.managesAssignment(assignment)) {
        if (this.retiringPermissionSets.has(assignment.permissionSetName)) {
          push(keptBy, assignment.permissionSetName, principalText(assignment));
        }
        continue;
      }
      // AWS cannot change assignments in an account that is not ACTIVE: neither removed nor waited for,
      // so a leaver's removal everywhere else goes on.
      if (this.isInactiveAccount(assignment.accountId)) {
        this.leftInInactive(assignment.accountId).assignments += 1;
        if (this.retiringPermissionSets.has(assignment.permissionSetName)) {
          push(keptIn, assignment.permissionSetName, this.accountText(assignment.accountId));
        }
        continue;
      }
      const after: Assignment = {
        ...assignment,
        principalName:
          assignment.principalType === PrincipalType.user
            ? this.userNameAfter(assignment.principalName)
            : this.groupNameAfter(assignment.principalName),
      };
      current.set(assignmentChangeKey(after), after);
    }

    for (const [key, assignment] of wanted) {
      if (this.retiringPermissionSets.has(assignment.permissionSetName)) {
        push(keptBy, assignment.permissionSetName, "the rules");
      }
      if (current.has(key)) continue;
      const { reason, ...plain } = assignment;
      this.changes.push({ kind: "createAssignment", key, reason, assignment: plain });
    }
    for (const [key, assignment] of current) {
      if (wanted.has(key)) continue;
      this.changes.push({
        kind: "deleteAssignment",
        key,
        reason: this.removalReason(assignment),
        assignment,
      });
    }

    for (const [name, reason] of this.retiringPermissionSets) {
      const kept = keptBy.get(name);
      if (kept !== undefined) {
        this.note(
          "keptInUse",
          name,
          `${reason}, but it is still assigned to ${[...kept].sort(compareStrings).join(", ")}, which idc-sync does not manage; remove those assignments and idc-sync deletes it`,
        );
        continue;
      }
      const keptInAccounts = keptIn.get(name);
      if (keptInAccounts !== undefined) {
        // DeletePermissionSet answers ConflictException while any assignment uses it.
        this.note(
          "keptInUse",
          name,
          `${reason}, but it is still assigned in ${[...keptInAccounts].sort(compareStrings).join(", ")}, where AWS cannot remove assignments; idc-sync deletes it once those accounts are active again or gone`,
        );
        continue;
      }
      this.changes.push({
        kind: "deletePermissionSet",
        key: permissionSetChangeKey(name),
        reason,
        permissionSetName: name,
      });
    }
  }

  private isInactiveAccount(accountId: string): boolean {
    return this.desired.inactiveAccounts?.[accountId] !== undefined;
  }

  /** "old (444444444444)". */
  private accountText(accountId: string): string {
    const account = this.desired.inactiveAccounts?.[accountId];
    return account === undefined ? accountId : `${account.name} (${accountId})`;
  }

  private leftInInactive(accountId: string): { assignments: number; provisioning: Set<string> } {
    let left = this.leftInInactiveAccounts.get(accountId);
    if (left === undefined) {
      left = { assignments: 0, provisioning: new Set() };
      this.leftInInactiveAccounts.set(accountId, left);
    }
    return left;
  }

  /**
   * One note per account that is not ACTIVE where the plan left something: AWS fails assignment changes
   * and provisioning there (Organizations: a closed account's resources "won't be available"), so trying
   * would fail every run and, for a leaver, hold back the user's deletion everywhere else.
   */
  private noteInactiveAccounts(): void {
    for (const [accountId, left] of this.leftInInactiveAccounts) {
      const status = this.desired.inactiveAccounts?.[accountId]?.status ?? "not ACTIVE";
      const parts: string[] = [];
      if (left.assignments > 0)
        parts.push(
          `${left.assignments} assignment${left.assignments === 1 ? "" : "s"} of managed principals`,
        );
      if (left.provisioning.size > 0)
        parts.push(`the provisioning of ${[...left.provisioning].sort(compareStrings).join(", ")}`);
      this.note(
        "inactiveAccount",
        this.accountText(accountId),
        `${status}: AWS cannot change assignments or provision permission sets there, so idc-sync leaves alone ${parts.join(" and ")} until the account is ACTIVE again (AWS deletes a closed account's resources after 90 days)`,
      );
    }
  }

  /** Why an assignment of a managed principal goes: its group or permission set left the rules, or no rule grants it. */
  private removalReason(assignment: Assignment): string {
    if (assignment.principalType === PrincipalType.group) {
      const retiring = this.retiringGroups.get(assignment.principalName);
      if (retiring !== undefined) return retiring;
    }
    const retiringSet = this.retiringPermissionSets.get(assignment.permissionSetName);
    if (retiringSet !== undefined) return retiringSet;
    return assignment.principalType === PrincipalType.user
      ? (this.leavers.get(userKey(assignment.principalName)) ?? notGrantedReason)
      : notGrantedReason;
  }

  /** A desired assignment is planned only for a principal idc-sync manages and keeps. */
  private canBeAssigned(assignment: DesiredAssignment): boolean {
    const { principalType, principalName } = assignment;
    if (isProtectedPrincipal(this.scope, principalType, principalName)) {
      this.note("protected", principalName, "granted by the rules but protected; assignments left alone");
      return false;
    }
    const managed =
      principalType === PrincipalType.user
        ? this.managedDesiredUsers.has(userKey(principalName))
        : this.managedDesiredGroups.has(principalName);
    if (!managed) {
      this.note(
        principalType === PrincipalType.user ? "unmanagedUser" : "unmanagedGroup",
        principalName,
        "granted by the rules but not a managed principal; assignment left alone",
      );
    }
    return managed;
  }

  // ─── Notes, counts and ownership ──────────────────────────────────────────────────────────────────

  private noteUnmanagedActuals(): void {
    const users = [...this.actualUsers.values()]
      .filter((u) => !isManagedUser(this.scope, u.userName) && !isProtectedUser(this.scope, u.userName))
      .map((u) => u.userName);
    if (users.length > 0) {
      this.note(
        "unmanagedUser",
        `${users.length} user${users.length === 1 ? "" : "s"}`,
        leftAlone(users, "outside the managed domains"),
      );
    }
    const foreign = [...this.externallyProvisioned].map((key) => this.actualUsers.get(key)!);
    if (foreign.length > 0) {
      const issuers = [
        ...new Set(foreign.flatMap((user) => (user.externalIds ?? []).map((external) => external.issuer))),
      ].sort(compareStrings);
      this.note(
        "externallyProvisioned",
        `${foreign.length} user${foreign.length === 1 ? "" : "s"}`,
        `${leftAlone(
          foreign.map((user) => user.userName),
          `created by another provisioner (SCIM; ExternalIds issued by ${issuers.join(", ")})`,
        )}. idc-sync does not create, change or delete them, so the two never undo each other; set users.externallyProvisioned: manage in the rules to let idc-sync manage them`,
      );
    }
    for (const [name] of this.actualGroups) {
      if (isProtectedGroup(this.scope, name))
        this.note("protected", name, "protected by safety.protect; left alone");
    }
    const groups = [...this.actualGroups.keys()].filter(
      (name) => !this.managesGroup(name) && !isProtectedGroup(this.scope, name),
    );
    if (groups.length > 0) {
      this.note(
        "unmanagedGroup",
        `${groups.length} group${groups.length === 1 ? "" : "s"}`,
        leftAlone(groups, "not named in the rules"),
      );
    }
  }

  private countManagedObjects(): number {
    let count = 0;
    for (const user of this.actualUsers.values()) if (this.manages(user.userName)) count += 1;
    for (const group of this.actualGroups.values()) {
      if (!this.managesGroup(group.displayName)) continue;
      count += 1;
      for (const member of group.members ?? []) if (!isProtectedUser(this.scope, member)) count += 1;
    }
    for (const name of this.actualPermissionSets.keys()) {
      if (isManagedPermissionSet(this.scope, name) || this.retiringPermissionSets.has(name)) count += 1;
    }
    for (const assignment of this.actualAssignments) if (this.managesAssignment(assignment)) count += 1;
    return count;
  }

  /**
   * What idc-sync owns once this plan is applied: the groups and permission sets the rules name (those
   * that exist or are created), the retiring ones it may not remove yet, and which Identity Center user
   * each managed person's Google id is.
   */
  private ownershipAfter(): Ownership {
    const previous = this.ownership;
    const groups: Record<string, OwnedObject> = {};
    for (const [name, group] of this.managedDesiredGroups) {
      const match = this.actualGroupFor(name);
      const before =
        previous?.groups[name] ?? (match ? previous?.groups[match.group.displayName] : undefined);
      groups[name] = ownedObject(group.rule, before?.origin ?? (match === undefined ? "created" : "adopted"));
    }
    const deletedGroups = new Set(
      this.changes.filter((change) => change.kind === "deleteGroup").map((change) => change.displayName),
    );
    for (const name of this.retiringGroups.keys()) {
      const kept = previous?.groups[name];
      if (!deletedGroups.has(name) && kept !== undefined) groups[name] = kept;
    }

    const permissionSets: Record<string, OwnedObject> = {};
    for (const [name, set] of this.desiredPermissionSets) {
      if (!isManagedPermissionSet(this.scope, name)) continue;
      const existing = this.actualPermissionSets.get(name);
      const origin =
        previous?.permissionSets[name]?.origin ??
        (existing === undefined || existing.managedByTag === true ? "created" : "adopted");
      permissionSets[name] = ownedObject(set.rule, origin);
    }
    const deletedSets = new Set(
      this.changes
        .filter((change) => change.kind === "deletePermissionSet")
        .map((change) => change.permissionSetName),
    );
    for (const name of this.retiringPermissionSets.keys()) {
      if (deletedSets.has(name)) continue;
      permissionSets[name] = previous?.permissionSets[name] ?? { origin: "created" };
    }

    const users: Record<string, OwnedUser> = {};
    for (const [key, user] of this.managedDesiredUsers) {
      if (user.googleId === undefined) continue;
      const match = this.actualUserFor(key);
      users[user.googleId] =
        match === undefined
          ? { userName: user.userName }
          : { userId: match.user.id, userName: user.userName };
    }
    return {
      groups: sortedRecord(groups),
      permissionSets: sortedRecord(permissionSets),
      users: sortedRecord(users),
    };
  }

  private note(kind: ScopeNote["kind"], name: string, detail: string): void {
    const id = `${kind}\u0000${name}\u0000${detail}`;
    if (!this.notes.has(id)) this.notes.set(id, { kind, name, detail });
  }
}

/** "removed from the rules (was groups[2] kaigodx-developers)". */
function removedReason(owned: OwnedObject, name: string): string {
  return owned.rule === undefined
    ? `removed from the rules (${name} is tagged managed-by=idc-sync)`
    : `removed from the rules (was ${owned.rule} ${name})`;
}

function ownedObject(rule: string | undefined, origin: OwnedObject["origin"]): OwnedObject {
  return rule === undefined ? { origin } : { rule, origin };
}

function principalText(assignment: Assignment): string {
  return `${assignment.principalType.toLowerCase()} ${assignment.principalName}`;
}

function push<V>(map: Map<string, Set<V>>, key: string, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function sortedRecord<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareStrings(a, b)));
}

// ─── Comparisons ────────────────────────────────────────────────────────────────────────────────────

function userFieldChanges(wanted: DesiredUser, current: IcUser): FieldChange[] {
  const fields: FieldChange[] = [];
  const compare = (field: string, from: string | undefined, to: string | undefined, same: boolean) => {
    if (!same) fields.push({ field, from: from ?? null, to: to ?? null });
  };
  compare("displayName", current.displayName, wanted.displayName, current.displayName === wanted.displayName);
  compare("givenName", current.givenName, wanted.givenName, current.givenName === wanted.givenName);
  compare("familyName", current.familyName, wanted.familyName, current.familyName === wanted.familyName);
  compare("email", current.email, wanted.email, current.email.toLowerCase() === wanted.email.toLowerCase());
  if (wanted.title !== undefined) {
    compare("title", current.title, wanted.title, (current.title ?? "") === wanted.title);
  }
  if (wanted.enterprise !== undefined) {
    const from = normalizeEnterprise(current.enterprise);
    const to = normalizeEnterprise(wanted.enterprise);
    if (canonicalJson(from ?? null) !== canonicalJson(to ?? null)) {
      fields.push({ field: "enterprise", from: current.enterprise ?? null, to: wanted.enterprise });
    }
  }
  return fields;
}

/**
 * When a user update changes the manager reference and nothing else: the manager before and after
 * (either absent). The drift classification and the update's reason both read it.
 */
export function managerReferenceChange(
  fields: readonly FieldChange[],
): { from?: string; to?: string } | undefined {
  const [field, ...others] = fields;
  if (field === undefined || others.length > 0 || field.field !== "enterprise") return undefined;
  const asEnterprise = (value: unknown) =>
    normalizeEnterprise(
      value !== null && typeof value === "object" ? (value as EnterpriseAttributes) : undefined,
    ) ?? {};
  const { manager: from, ...fromRest } = asEnterprise(field.from);
  const { manager: to, ...toRest } = asEnterprise(field.to);
  if (from === to || canonicalJson(fromRest) !== canonicalJson(toRest)) return undefined;
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/** Enterprise attributes compared as a whole: unset keys dropped, manager compared case-insensitively. */
function normalizeEnterprise(value: EnterpriseAttributes | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const result: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (typeof raw !== "string" || raw === "") continue;
    result[key] = key === "manager" ? userKey(raw) : raw;
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

function userAttributesOf(user: UserAttributes): UserAttributes {
  return {
    userName: user.userName,
    displayName: user.displayName,
    givenName: user.givenName,
    familyName: user.familyName,
    email: user.email,
    ...optional("title", user.title),
    ...optional("enterprise", user.enterprise),
  };
}

/** What Identity Center should hold after an update: unmanaged attributes keep their current value. */
function updatedUserAttributes(wanted: DesiredUser, current: IcUser): UserAttributes {
  return userAttributesOf({
    ...wanted,
    title: wanted.title ?? current.title,
    enterprise: wanted.enterprise ?? current.enterprise,
  });
}

function permissionSetAttributesOf(set: PermissionSetAttributes): PermissionSetAttributes {
  return {
    name: set.name,
    ...optional("description", set.description),
    sessionDuration: set.sessionDuration,
    ...optional("relayState", set.relayState),
    managedPolicyArns: [...set.managedPolicyArns],
    customerManagedPolicies: set.customerManagedPolicies.map((p) => ({ ...p })),
    ...optional("inlinePolicy", set.inlinePolicy),
    ...optional("permissionsBoundary", set.permissionsBoundary),
    tags: { ...set.tags },
  };
}

/**
 * A description or relay state the rules leave out is not managed: UpdatePermissionSet cannot clear
 * either (it keeps any field it is not given), so planning their removal would repeat on every run.
 */
function withUnmanagedTextKept(wanted: DesiredPermissionSet, current: IcPermissionSet): DesiredPermissionSet {
  return {
    ...wanted,
    ...optional("description", blankToUndefined(wanted.description) ?? current.description),
    ...optional("relayState", blankToUndefined(wanted.relayState) ?? current.relayState),
  };
}

type PermissionSetField = Exclude<keyof PermissionSetAttributes, "name">;

const permissionSetComparators: readonly [PermissionSetField, (set: PermissionSetAttributes) => string][] = [
  ["description", (s) => blankToUndefined(s.description) ?? ""],
  ["sessionDuration", (s) => s.sessionDuration],
  ["relayState", (s) => blankToUndefined(s.relayState) ?? ""],
  ["managedPolicyArns", (s) => canonicalJson([...new Set(s.managedPolicyArns)].sort(compareStrings))],
  ["customerManagedPolicies", (s) => canonicalJson(sortedPolicies(s.customerManagedPolicies))],
  ["inlinePolicy", (s) => canonicalPolicyOrRaw(s.inlinePolicy)],
  ["permissionsBoundary", (s) => canonicalJson(normalizeBoundary(s.permissionsBoundary) ?? null)],
  ["tags", (s) => canonicalJson(s.tags)],
];

function permissionSetFieldChanges(wanted: DesiredPermissionSet, current: IcPermissionSet): FieldChange[] {
  const fields: FieldChange[] = [];
  for (const [field, comparable] of permissionSetComparators) {
    if (comparable(wanted) !== comparable(current)) {
      fields.push({ field, from: current[field] ?? null, to: wanted[field] ?? null });
    }
  }
  return fields;
}

function sortedPolicies(policies: CustomerManagedPolicyRef[]): CustomerManagedPolicyRef[] {
  return sortCustomerPolicies(policies.map((p) => ({ name: p.name, path: p.path === "" ? "/" : p.path })));
}

function normalizeBoundary(boundary: PermissionsBoundary | undefined): PermissionsBoundary | undefined {
  if (boundary === undefined || boundary.kind === "managed") return boundary;
  return {
    kind: "customerManaged",
    policy: { name: boundary.policy.name, path: boundary.policy.path || "/" },
  };
}

/** Identity Center reformats inline policies; compare their canonical form where they parse. */
function canonicalPolicyOrRaw(policy: string | undefined): string {
  if (policy === undefined || policy.trim() === "") return "";
  try {
    return canonicalJson(JSON.parse(policy));
  } catch {
    return policy;
  }
}

function normalizeAssignment(assignment: DesiredAssignment): DesiredAssignment {
  return {
    principalType: assignment.principalType,
    principalName: assignment.principalName,
    permissionSetName: assignment.permissionSetName,
    accountId: assignment.accountId,
    reason: assignment.reason,
  };
}

// ─── Small helpers ──────────────────────────────────────────────────────────────────────────────────

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** `{ [key]: value }` when value is defined, `{}` otherwise: keeps plan data free of `undefined` keys. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Sorts by a key and a canonical tie-break, so equal keys still come out in one order. */
function sortedBy<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: keyOf(item), tie: canonicalJson(item) }))
    .sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.tie, b.tie))
    .map((entry) => entry.item);
}

/** Indexes a list by key; when several items share a key, the first in canonical order wins. */
function indexBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of sortedBy(items, keyOf)) {
    const key = keyOf(item);
    if (!map.has(key)) map.set(key, item);
  }
  return map;
}

function leftAlone(names: string[], why: string): string {
  const sorted = [...names].sort(compareStrings);
  const shown = sorted.slice(0, noteNameSample).join(", ");
  const more = sorted.length > noteNameSample ? ` and ${sorted.length - noteNameSample} more` : "";
  return `${why}, left alone: ${shown}${more}`;
}

function compareNotes(a: ScopeNote, b: ScopeNote): number {
  return (
    compareStrings(a.kind, b.kind) || compareStrings(a.name, b.name) || compareStrings(a.detail, b.detail)
  );
}
