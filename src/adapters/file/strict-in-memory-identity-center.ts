import { ChangeFailedError, SyncError } from "../../sync/errors.js";
import { assignmentChangeKey, compareStrings } from "../../sync/keys.js";
import type {
  Assignment,
  Change,
  IcPermissionSet,
  IcUser,
  IdentityCenterState,
  PermissionSetAttributes,
  Scope,
  UpdateUser,
  UserAttributes,
} from "../../sync/model.js";
import { PrincipalType } from "../../sync/model.js";
import { applyPermissionSetDiff } from "../../sync/permission-set-diff.js";
import type { IdentityCenter } from "../../sync/ports.js";
import { userKey } from "../../sync/scope.js";
import type { DescribedPrincipal, IdentityCenterPeopleRequest } from "../../sync/targeted/reads.js";
import { sliceIdentityCenterState } from "../../sync/targeted/slice.js";

/** What an id is for, so a generator can shape it like the real one. */
export type IdKind = "user" | "group" | "permissionSet";

/** Makes ids for created objects. Must return a fresh value on every call. */
export type IdGenerator = (kind: IdKind) => string;

/** Decides whether a change is made to fail: `true` for a generic error, a string for that message. */
export type FailurePredicate = (change: Change) => boolean | string;

export interface StrictInMemoryIdentityCenterOptions {
  /** Defaults to a counter per kind (`user-000001`, ..., permission set ARNs), deterministic per instance. */
  idGenerator?: IdGenerator;
}

/**
 * A complete Identity Center held in memory, stricter than AWS: the engine of the `file:` target and
 * the fake of the unit tests. Like the AWS service: userNames are unique case-insensitively, an unknown
 * name fails with a `ChangeFailedError`, a rename carries memberships and assignments, an assignment
 * provisions its permission set to the account, a permission set it creates carries the
 * managed-by=idc-sync tag, and a permission set still assigned cannot be deleted (AWS answers
 * ConflictException).
 *
 * Where it differs from AWS (and from the AWS adapter), on purpose:
 * - a create of something that already exists fails (`ChangeFailedError`), where the AWS adapter adopts
 *   the existing object (a run that stopped half-way) and brings it in line: here a duplicate create
 *   is a planner bug, and the tests should see it;
 * - deleting a user also removes its memberships and assignments, and deleting a group that still has
 *   any is refused: AWS would leave them behind unnamed, which a name-keyed state cannot hold.
 * The AWS emulator (tests/emulators/aws) is the one that behaves like the service.
 */
export class StrictInMemoryIdentityCenter implements IdentityCenter {
  private readonly store: Store;
  private failures: FailurePredicate[] = [];
  private readonly appliedLog: Change[] = [];

  constructor(initial?: IdentityCenterState, options: StrictInMemoryIdentityCenterOptions = {}) {
    this.store = new Store(
      initial ?? { users: [], groups: [], permissionSets: [], assignments: [] },
      options.idGenerator,
    );
  }

  /**
   * Returns a copy of the whole state. Unlike the AWS adapter it reads the members of every group, which
   * the port allows ("at least the scope").
   */
  async readState(_scope: Scope): Promise<IdentityCenterState> {
    return this.snapshot();
  }

  /**
   * A targeted run's read: the people's users, memberships and assignments, every group and permission
   * set (the port allows more than the people need, never less). Group access is in `assignments` only
   * when asked for, as the AWS adapter reads it.
   */
  async readPeople(request: IdentityCenterPeopleRequest, _scope: Scope): Promise<IdentityCenterState> {
    const state = this.snapshot();
    const people = { names: new Set(request.userNames.map(userKey)), userIds: new Set(request.userIds) };
    const sliced = sliceIdentityCenterState(state, people);
    if (!request.withGroupAccess) return sliced;
    const theirGroups = new Set(
      sliced.groups.filter((group) => (group.members ?? []).length > 0).map((group) => group.displayName),
    );
    const groupAccess = state.assignments.filter(
      (assignment) =>
        assignment.principalType === PrincipalType.group && theirGroups.has(assignment.principalName),
    );
    return { ...sliced, assignments: [...sliced.assignments, ...groupAccess] };
  }

  async describePrincipal(
    principal: { userId: string } | { groupId: string },
  ): Promise<DescribedPrincipal | undefined> {
    const state = this.snapshot();
    if ("userId" in principal) {
      const user = state.users.find((candidate) => candidate.id === principal.userId);
      return user === undefined ? undefined : { kind: "user", id: user.id, userName: user.userName };
    }
    const group = state.groups.find((candidate) => candidate.id === principal.groupId);
    return group === undefined ? undefined : { kind: "group", id: group.id, displayName: group.displayName };
  }

  /** Applies one change, or throws a `ChangeFailedError` and leaves the state as it was. */
  async applyChange(change: Change): Promise<void> {
    for (const predicate of this.failures) {
      const verdict = predicate(change);
      if (verdict !== false) {
        throw new ChangeFailedError(
          typeof verdict === "string" ? verdict : `${change.kind} ${change.key} failed (injected)`,
          change.key,
        );
      }
    }
    this.store.apply(change);
    this.appliedLog.push(structuredClone(change));
  }

  /** The state, sorted so that equal states compare and serialise equal. */
  snapshot(): IdentityCenterState {
    return this.store.toState();
  }

  /** Test hook: changes for which `predicate` is not false throw instead of applying. Cumulative. */
  failChanges(predicate: FailurePredicate): this {
    this.failures.push(predicate);
    return this;
  }

  /** Clears the failures set with `failChanges`. */
  clearFailures(): this {
    this.failures = [];
    return this;
  }

  /** The changes applied so far, in the order they were applied. */
  appliedChanges(): Change[] {
    return structuredClone(this.appliedLog);
  }
}

/** Ids `user-000001`, `group-000001`, and permission set ARNs numbered the same way. */
export function counterIdGenerator(): IdGenerator {
  const counters: Record<IdKind, number> = { user: 0, group: 0, permissionSet: 0 };
  return (kind) => {
    counters[kind] += 1;
    const n = String(counters[kind]).padStart(6, "0");
    return kind === "permissionSet" ? `arn:aws:sso:::permissionSet/ssoins-inmemory/ps-${n}` : `${kind}-${n}`;
  };
}

// ─── The store ──────────────────────────────────────────────────────────────────────────────────────

interface StoredGroup {
  id: string;
  displayName: string;
  description?: string;
  /** lower-case userName → userName as stored. */
  members: Map<string, string>;
}

/**
 * The state, indexed by the names changes use, so applying a plan of tens of thousands of changes stays
 * linear. Every change checks everything it can fail on before it mutates anything, so a failed change
 * leaves the state exactly as it was, as a failed AWS call would.
 */
class Store {
  /** lower-case userName → user. */
  private readonly users = new Map<string, IcUser>();
  private readonly groups = new Map<string, StoredGroup>();
  private readonly permissionSets = new Map<string, IcPermissionSet>();
  /** assignment key → assignment. */
  private readonly assignments = new Map<string, Assignment>();
  private readonly takenIds = new Set<string>();
  private readonly nextId: IdGenerator;

  constructor(initial: IdentityCenterState, idGenerator: IdGenerator = counterIdGenerator()) {
    this.nextId = idGenerator;
    for (const user of initial.users) {
      this.users.set(
        userKey(user.userName),
        withExternalIds({ id: user.id, ...copyUser(user) }, user.externalIds),
      );
      this.takenIds.add(user.id);
    }
    for (const group of initial.groups) {
      // In memory every membership is known: a group without a member list has none.
      const members = new Map((group.members ?? []).map((m) => [userKey(m), m]));
      this.groups.set(
        group.displayName,
        withDescription({ id: group.id, displayName: group.displayName, members }, group.description),
      );
      this.takenIds.add(group.id);
    }
    for (const set of initial.permissionSets) {
      this.permissionSets.set(set.name, structuredClone(set));
      this.takenIds.add(set.arn);
    }
    for (const a of initial.assignments) this.assignments.set(assignmentChangeKey(a), copyAssignment(a));
  }

  apply(change: Change): void {
    const fail = (message: string): never => {
      throw new ChangeFailedError(`${change.kind} ${change.key}: ${message}`, change.key);
    };
    const user = (name: string) => this.users.get(userKey(name)) ?? fail(`no user named ${name}`);
    const group = (name: string) => this.groups.get(name) ?? fail(`no group named ${name}`);
    const permissionSet = (name: string) =>
      this.permissionSets.get(name) ?? fail(`no permission set named ${name}`);

    switch (change.kind) {
      case "createUser": {
        if (this.users.has(userKey(change.user.userName)))
          fail(`a user named ${change.user.userName} already exists`);
        const id = this.freshId("user");
        this.users.set(userKey(change.user.userName), { id, ...copyUser(change.user) });
        return;
      }
      case "updateUser": {
        const current = user(change.userName);
        const oldKey = userKey(current.userName);
        const newKey = userKey(change.user.userName);
        if (newKey !== oldKey && this.users.has(newKey))
          fail(`a user named ${change.user.userName} already exists`);
        this.users.delete(oldKey);
        // ExternalIds belong to the SCIM provisioner; UpdateUser never touches them.
        this.users.set(
          newKey,
          withExternalIds({ id: current.id, ...withChangedFields(current, change) }, current.externalIds),
        );
        if (newKey !== oldKey) this.renameUserReferences(oldKey, change.user.userName);
        return;
      }
      case "deleteUser": {
        const key = userKey(user(change.userName).userName);
        this.users.delete(key);
        for (const g of this.groups.values()) g.members.delete(key);
        for (const [assignmentKey, a] of this.assignments) {
          if (a.principalType === PrincipalType.user && userKey(a.principalName) === key) {
            this.assignments.delete(assignmentKey);
          }
        }
        return;
      }
      case "createGroup": {
        if (this.groups.has(change.displayName)) fail(`a group named ${change.displayName} already exists`);
        const id = this.freshId("group");
        this.groups.set(
          change.displayName,
          withDescription({ id, displayName: change.displayName, members: new Map() }, change.description),
        );
        return;
      }
      case "updateGroup": {
        const current = group(change.currentDisplayName);
        const renamed = change.displayName !== current.displayName;
        if (renamed && this.groups.has(change.displayName))
          fail(`a group named ${change.displayName} already exists`);
        this.groups.delete(current.displayName);
        this.groups.set(
          change.displayName,
          withDescription(
            { id: current.id, displayName: change.displayName, members: current.members },
            change.description,
          ),
        );
        if (renamed) this.renameGroupReferences(current.displayName, change.displayName);
        return;
      }
      case "deleteGroup": {
        // AWS would delete the group and leave its memberships and assignments behind, unnamed and
        // unreachable; a name-keyed state cannot hold them, so a deletion that would is refused.
        const target = group(change.displayName);
        const assigned = [...this.assignments.values()].filter(
          (a) => a.principalType === PrincipalType.group && a.principalName === target.displayName,
        ).length;
        if (target.members.size > 0 || assigned > 0) {
          fail(
            `the group still has ${target.members.size} member(s) and ${assigned} assignment(s), which AWS would leave behind; remove them first`,
          );
        }
        this.groups.delete(target.displayName);
        return;
      }
      case "addMember": {
        const g = group(change.groupName);
        const member = user(change.userName);
        if (g.members.has(userKey(member.userName))) fail("already a member");
        g.members.set(userKey(member.userName), member.userName);
        return;
      }
      case "removeMember": {
        const g = group(change.groupName);
        if (!g.members.delete(userKey(change.userName))) fail("not a member");
        return;
      }
      case "createPermissionSet": {
        const name = change.permissionSet.name;
        if (this.permissionSets.has(name)) fail(`a permission set named ${name} already exists`);
        const arn = this.freshId("permissionSet");
        this.permissionSets.set(name, {
          arn,
          managedByTag: true,
          ...copyPermissionSet(change.permissionSet),
          provisionedAccountIds: [],
        });
        return;
      }
      case "updatePermissionSet": {
        const current = permissionSet(change.permissionSet.name);
        // As in AWS, the accounts using it keep the old version until it is provisioned to them.
        const outdated = [
          ...new Set([...(current.outdatedAccountIds ?? []), ...current.provisionedAccountIds]),
        ];
        this.permissionSets.set(current.name, {
          arn: current.arn,
          ...(current.managedByTag === true ? { managedByTag: true } : {}),
          ...copyPermissionSet(applyPermissionSetDiff(current, change.permissionSet, change.diff)),
          provisionedAccountIds: current.provisionedAccountIds,
          ...(outdated.length > 0 ? { outdatedAccountIds: outdated.sort(compareStrings) } : {}),
        });
        return;
      }
      case "provisionPermissionSet": {
        const set = permissionSet(change.permissionSetName);
        // Provisioning pushes the current version; the accounts it reaches now use the permission set.
        set.provisionedAccountIds = [...new Set([...set.provisionedAccountIds, ...change.accountIds])];
        const outdated = (set.outdatedAccountIds ?? []).filter((id) => !change.accountIds.includes(id));
        if (outdated.length > 0) set.outdatedAccountIds = outdated;
        else delete set.outdatedAccountIds;
        return;
      }
      case "deletePermissionSet": {
        const set = permissionSet(change.permissionSetName);
        const using = [...this.assignments.values()].filter((a) => a.permissionSetName === set.name);
        if (using.length > 0) {
          fail(
            `ConflictException: the permission set is still assigned (${using.length} assignment${using.length === 1 ? "" : "s"}, e.g. ${using[0]!.principalName} in ${using[0]!.accountId}); remove its assignments first`,
          );
        }
        this.permissionSets.delete(set.name);
        return;
      }
      case "createAssignment": {
        const a = change.assignment;
        const set = permissionSet(a.permissionSetName);
        const principalName =
          a.principalType === PrincipalType.user
            ? user(a.principalName).userName
            : group(a.principalName).displayName;
        const key = assignmentChangeKey(a);
        if (this.assignments.has(key)) fail("the assignment already exists");
        this.assignments.set(key, { ...copyAssignment(a), principalName });
        if (!set.provisionedAccountIds.includes(a.accountId)) set.provisionedAccountIds.push(a.accountId);
        return;
      }
      case "deleteAssignment": {
        // AWS leaves the permission set provisioned to the account; so does this.
        if (!this.assignments.delete(assignmentChangeKey(change.assignment))) fail("no such assignment");
        return;
      }
      default: {
        const unknown = change as Change;
        fail(`unknown change kind ${unknown.kind}`);
      }
    }
  }

  /** The state as plain data, sorted so equal states compare and serialise equal. */
  toState(): IdentityCenterState {
    const byName = <T>(entries: Iterable<[string, T]>) =>
      [...entries].sort(([a], [b]) => compareStrings(a, b)).map(([, value]) => value);
    return {
      users: byName(this.users).map((u) => withExternalIds({ id: u.id, ...copyUser(u) }, u.externalIds)),
      groups: byName(this.groups).map((g) =>
        withDescription(
          { id: g.id, displayName: g.displayName, members: [...g.members.values()].sort(compareStrings) },
          g.description,
        ),
      ),
      permissionSets: byName(this.permissionSets).map((p) => ({
        ...structuredClone(p),
        provisionedAccountIds: [...p.provisionedAccountIds].sort(compareStrings),
      })),
      assignments: byName(this.assignments).map(copyAssignment),
    };
  }

  private renameUserReferences(oldKey: string, newName: string): void {
    // Identity Center keeps a manager as a user id, which a rename keeps: the people who report to the
    // renamed user read the new name at once, as they would from the Identity Store.
    for (const [key, other] of this.users) {
      const manager = other.enterprise?.manager;
      if (manager !== undefined && userKey(manager) === oldKey)
        this.users.set(key, { ...other, enterprise: { ...other.enterprise, manager: newName } });
    }
    for (const g of this.groups.values()) {
      if (g.members.delete(oldKey)) g.members.set(userKey(newName), newName);
    }
    for (const [key, a] of [...this.assignments]) {
      if (a.principalType === PrincipalType.user && userKey(a.principalName) === oldKey) {
        this.assignments.delete(key);
        const renamed = { ...a, principalName: newName };
        this.assignments.set(assignmentChangeKey(renamed), renamed);
      }
    }
  }

  private renameGroupReferences(oldName: string, newName: string): void {
    for (const [key, a] of [...this.assignments]) {
      if (a.principalType === PrincipalType.group && a.principalName === oldName) {
        this.assignments.delete(key);
        const renamed = { ...a, principalName: newName };
        this.assignments.set(assignmentChangeKey(renamed), renamed);
      }
    }
  }

  /** A fresh id that no existing object uses, even when the state was loaded with ids of the same shape. */
  private freshId(kind: IdKind): string {
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const id = this.nextId(kind);
      if (!this.takenIds.has(id)) {
        this.takenIds.add(id);
        return id;
      }
    }
    throw new SyncError(`the id generator keeps returning ids already in use for ${kind}`);
  }
}

function withDescription<T extends object>(
  object: T,
  description: string | undefined,
): T & { description?: string } {
  return description === undefined ? object : { ...object, description };
}

function withExternalIds(user: IcUser, externalIds: IcUser["externalIds"]): IcUser {
  return externalIds === undefined || externalIds.length === 0
    ? user
    : { ...user, externalIds: externalIds.map((external) => ({ ...external })) };
}

function copyUser(user: UserAttributes): UserAttributes {
  return {
    userName: user.userName,
    displayName: user.displayName,
    givenName: user.givenName,
    familyName: user.familyName,
    email: user.email,
    ...(user.title === undefined ? {} : { title: user.title }),
    ...(user.enterprise === undefined ? {} : { enterprise: structuredClone(user.enterprise) }),
  };
}

/** `current` with exactly the plan's changed fields set to their new values, as AWS's UpdateUser does. */
function withChangedFields(current: UserAttributes, change: UpdateUser): UserAttributes {
  const user = copyUser(current);
  const after = copyUser(change.user);
  for (const { field } of change.fields) {
    switch (field) {
      case "userName":
      case "displayName":
      case "givenName":
      case "familyName":
      case "email":
        user[field] = after[field];
        break;
      case "title":
        if (after.title === undefined || after.title === "") delete user.title;
        else user.title = after.title;
        break;
      case "enterprise":
        if (after.enterprise === undefined) delete user.enterprise;
        else user.enterprise = after.enterprise;
        break;
    }
  }
  return user;
}

function copyPermissionSet(set: PermissionSetAttributes): PermissionSetAttributes {
  const copy = structuredClone(set);
  for (const key of Object.keys(copy) as (keyof PermissionSetAttributes)[]) {
    if (copy[key] === undefined) delete copy[key];
  }
  return copy;
}

function copyAssignment(a: Assignment): Assignment {
  return {
    principalType: a.principalType,
    principalName: a.principalName,
    permissionSetName: a.permissionSetName,
    accountId: a.accountId,
  };
}
