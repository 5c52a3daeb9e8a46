import { ChangeFailedError } from "../../sync/errors.js";
import { assignmentChangeKey, compareStrings } from "../../sync/keys.js";
import type {
  Assignment,
  Change,
  IcGroup,
  IcPermissionSet,
  IcUser,
  IdentityCenterState,
  PermissionSetAttributes,
  Scope,
  UserAttributes,
} from "../../sync/model.js";
import { PrincipalType } from "../../sync/model.js";
import type { IdentityCenter } from "../../sync/ports.js";
import { userKey } from "../../sync/scope.js";

/** What an id is for, so a generator can shape it like the real one. */
export type IdKind = "user" | "group" | "permissionSet";

/** Makes ids for created objects. Must return a fresh value on every call. */
export type IdGenerator = (kind: IdKind) => string;

/** Decides whether a change is made to fail: `true` for a generic error, a string for that message. */
export type FailurePredicate = (change: Change) => boolean | string;

export interface InMemoryIdentityCenterOptions {
  /** Defaults to a counter per kind (`user-000001`, ..., permission set ARNs), deterministic per instance. */
  idGenerator?: IdGenerator;
}

/**
 * A real, complete Identity Center held in memory: the engine of the `file:` target and the fake of the
 * unit tests. It behaves like the AWS service where idc-sync can tell: userNames are unique
 * case-insensitively, a duplicate create or an unknown name fails with a `ChangeFailedError`, a rename
 * carries memberships and assignments, deleting a user removes its memberships and assignments, and an
 * assignment provisions its permission set to the account.
 */
export class InMemoryIdentityCenter implements IdentityCenter {
  private state: IdentityCenterState;
  private readonly nextId: IdGenerator;
  private failures: FailurePredicate[] = [];
  private readonly appliedLog: Change[] = [];

  constructor(initial?: IdentityCenterState, options: InMemoryIdentityCenterOptions = {}) {
    const state = structuredClone(initial ?? { users: [], groups: [], permissionSets: [], assignments: [] });
    // In memory every membership is known: a group without a member list has none.
    for (const group of state.groups) group.members ??= [];
    this.state = state;
    this.nextId = options.idGenerator ?? counterIdGenerator();
  }

  /**
   * Returns a copy of the whole state. Unlike the AWS adapter it reads the members of every group, which
   * the port allows ("at least the scope").
   */
  async readState(_scope: Scope): Promise<IdentityCenterState> {
    return this.snapshot();
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
    applyTo(this.state, change, this.nextId);
    this.appliedLog.push(structuredClone(change));
  }

  /** The state, sorted so that equal states compare and serialise equal. */
  snapshot(): IdentityCenterState {
    return sortState(structuredClone(this.state));
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

// ─── The changes ────────────────────────────────────────────────────────────────────────────────────

/**
 * Every case checks everything it can fail on before it mutates anything, so a failed change leaves the
 * state exactly as it was, as a failed AWS call would.
 */
function applyTo(state: IdentityCenterState, change: Change, nextId: IdGenerator): void {
  const fail = (message: string): never => {
    throw new ChangeFailedError(`${change.kind} ${change.key}: ${message}`, change.key);
  };

  switch (change.kind) {
    case "createUser": {
      if (findUser(state, change.user.userName)) fail(`a user named ${change.user.userName} already exists`);
      state.users.push({ id: freshId(state, "user", nextId), ...copyUser(change.user) });
      return;
    }
    case "updateUser": {
      const user = findUser(state, change.userName) ?? fail(`no user named ${change.userName}`);
      const renamed = userKey(change.user.userName) !== userKey(user.userName);
      if (renamed && findUser(state, change.user.userName))
        fail(`a user named ${change.user.userName} already exists`);
      const oldName = user.userName;
      replaceUser(state, user, { id: user.id, ...copyUser(change.user) });
      if (renamed) renameUserReferences(state, oldName, change.user.userName);
      return;
    }
    case "deleteUser": {
      const user = findUser(state, change.userName) ?? fail(`no user named ${change.userName}`);
      const key = userKey(user.userName);
      state.users = state.users.filter((u) => u !== user);
      for (const group of state.groups) {
        if (group.members) group.members = group.members.filter((m) => userKey(m) !== key);
      }
      state.assignments = state.assignments.filter(
        (a) => !(a.principalType === PrincipalType.user && userKey(a.principalName) === key),
      );
      return;
    }
    case "createGroup": {
      if (findGroup(state, change.displayName)) fail(`a group named ${change.displayName} already exists`);
      state.groups.push({
        id: freshId(state, "group", nextId),
        displayName: change.displayName,
        ...(change.description === undefined ? {} : { description: change.description }),
        members: [],
      });
      return;
    }
    case "updateGroup": {
      const group =
        findGroup(state, change.currentDisplayName) ?? fail(`no group named ${change.currentDisplayName}`);
      const renamed = change.displayName !== group.displayName;
      if (renamed && findGroup(state, change.displayName))
        fail(`a group named ${change.displayName} already exists`);
      const oldName = group.displayName;
      group.displayName = change.displayName;
      if (change.description === undefined) delete group.description;
      else group.description = change.description;
      if (renamed) {
        for (const a of state.assignments) {
          if (a.principalType === PrincipalType.group && a.principalName === oldName)
            a.principalName = change.displayName;
        }
      }
      return;
    }
    case "addMember": {
      const group = findGroup(state, change.groupName) ?? fail(`no group named ${change.groupName}`);
      const user = findUser(state, change.userName) ?? fail(`no user named ${change.userName}`);
      const members = group.members ?? [];
      if (members.some((m) => userKey(m) === userKey(user.userName))) fail("already a member");
      group.members = [...members, user.userName];
      return;
    }
    case "removeMember": {
      const group = findGroup(state, change.groupName) ?? fail(`no group named ${change.groupName}`);
      const members = group.members ?? [];
      const key = userKey(change.userName);
      if (!members.some((m) => userKey(m) === key)) fail("not a member");
      group.members = members.filter((m) => userKey(m) !== key);
      return;
    }
    case "createPermissionSet": {
      const name = change.permissionSet.name;
      if (findPermissionSet(state, name)) fail(`a permission set named ${name} already exists`);
      state.permissionSets.push({
        arn: freshId(state, "permissionSet", nextId),
        ...copyPermissionSet(change.permissionSet),
        provisionedAccountIds: [],
      });
      return;
    }
    case "updatePermissionSet": {
      const name = change.permissionSet.name;
      const set = findPermissionSet(state, name) ?? fail(`no permission set named ${name}`);
      const updated: IcPermissionSet = {
        arn: set.arn,
        ...copyPermissionSet(change.permissionSet),
        provisionedAccountIds: set.provisionedAccountIds,
      };
      state.permissionSets = state.permissionSets.map((p) => (p === set ? updated : p));
      return;
    }
    case "provisionPermissionSet": {
      const set =
        findPermissionSet(state, change.permissionSetName) ??
        fail(`no permission set named ${change.permissionSetName}`);
      // Provisioning pushes the current version; accounts it reaches now use the permission set.
      set.provisionedAccountIds = [...new Set([...set.provisionedAccountIds, ...change.accountIds])];
      return;
    }
    case "createAssignment": {
      const a = change.assignment;
      const set =
        findPermissionSet(state, a.permissionSetName) ??
        fail(`no permission set named ${a.permissionSetName}`);
      const principal =
        canonicalPrincipalName(state, a) ??
        fail(`no ${a.principalType.toLowerCase()} named ${a.principalName}`);
      const key = assignmentChangeKey(a);
      if (state.assignments.some((x) => assignmentChangeKey(x) === key))
        fail("the assignment already exists");
      state.assignments.push({ ...copyAssignment(a), principalName: principal });
      if (!set.provisionedAccountIds.includes(a.accountId)) set.provisionedAccountIds.push(a.accountId);
      return;
    }
    case "deleteAssignment": {
      const key = assignmentChangeKey(change.assignment);
      const before = state.assignments.length;
      state.assignments = state.assignments.filter((x) => assignmentChangeKey(x) !== key);
      // AWS leaves the permission set provisioned to the account; so does this.
      if (state.assignments.length === before) fail("no such assignment");
      return;
    }
    default: {
      const unknown: never = change;
      throw new ChangeFailedError(`unknown change kind ${(unknown as Change).kind}`, (unknown as Change).key);
    }
  }
}

function findUser(state: IdentityCenterState, userName: string): IcUser | undefined {
  const key = userKey(userName);
  return state.users.find((u) => userKey(u.userName) === key);
}

function findGroup(state: IdentityCenterState, displayName: string): IcGroup | undefined {
  return state.groups.find((g) => g.displayName === displayName);
}

function findPermissionSet(state: IdentityCenterState, name: string): IcPermissionSet | undefined {
  return state.permissionSets.find((p) => p.name === name);
}

/** The principal's name as stored, or undefined when there is no such principal. */
function canonicalPrincipalName(state: IdentityCenterState, a: Assignment): string | undefined {
  return a.principalType === PrincipalType.user
    ? findUser(state, a.principalName)?.userName
    : findGroup(state, a.principalName)?.displayName;
}

function replaceUser(state: IdentityCenterState, user: IcUser, updated: IcUser): void {
  state.users = state.users.map((u) => (u === user ? updated : u));
}

function renameUserReferences(state: IdentityCenterState, oldName: string, newName: string): void {
  const key = userKey(oldName);
  for (const group of state.groups) {
    if (group.members) group.members = group.members.map((m) => (userKey(m) === key ? newName : m));
  }
  for (const a of state.assignments) {
    if (a.principalType === PrincipalType.user && userKey(a.principalName) === key) a.principalName = newName;
  }
}

/** A fresh id that no existing object uses, even when the state was loaded with ids of the same shape. */
function freshId(state: IdentityCenterState, kind: IdKind, nextId: IdGenerator): string {
  const taken = new Set<string>(
    kind === "user"
      ? state.users.map((u) => u.id)
      : kind === "group"
        ? state.groups.map((g) => g.id)
        : state.permissionSets.map((p) => p.arn),
  );
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const id = nextId(kind);
    if (!taken.has(id)) return id;
  }
  throw new ChangeFailedError(`the id generator keeps returning ids already in use for ${kind}`, kind);
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

function sortState(state: IdentityCenterState): IdentityCenterState {
  return {
    users: state.users.sort((a, b) => compareStrings(userKey(a.userName), userKey(b.userName))),
    groups: state.groups
      .map((g) => (g.members ? { ...g, members: [...g.members].sort(compareStrings) } : g))
      .sort((a, b) => compareStrings(a.displayName, b.displayName)),
    permissionSets: state.permissionSets
      .map((p) => ({ ...p, provisionedAccountIds: [...p.provisionedAccountIds].sort(compareStrings) }))
      .sort((a, b) => compareStrings(a.name, b.name)),
    assignments: state.assignments
      .map(copyAssignment)
      .sort((a, b) => compareStrings(assignmentChangeKey(a), assignmentChangeKey(b))),
  };
}
