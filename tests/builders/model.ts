/**
 * Builders for the domain model: sensible defaults, overridden by what a test cares about.
 * `aDesiredUser({ userName: "bob@example.com" })` derives names and email from the userName.
 */
import type {
  Assignment,
  DesiredAssignment,
  DesiredGroup,
  DesiredMember,
  DesiredPermissionSet,
  DesiredState,
  DesiredUser,
  IcGroup,
  IcPermissionSet,
  IcUser,
  IdentityCenterState,
  Ownership,
  Plan,
  Scope,
} from "../../src/sync/model.js";

function namesFrom(userName: string): { givenName: string; familyName: string; displayName: string } {
  const local = userName.split("@")[0] ?? userName;
  const [given = local, family = "Example"] = local.split(/[.-]/);
  const cap = (s: string) => (s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1));
  return { givenName: cap(given), familyName: cap(family), displayName: `${cap(given)} ${cap(family)}` };
}

export function aDesiredUser(overrides: Partial<DesiredUser> = {}): DesiredUser {
  const userName = overrides.userName ?? "alice@example.com";
  return {
    userName,
    ...namesFrom(userName),
    email: userName,
    previousUserNames: [],
    reason: "member of developers (orgUnit /Engineering)",
    ...overrides,
  };
}

export function anIcUser(overrides: Partial<IcUser> = {}): IcUser {
  const userName = overrides.userName ?? "alice@example.com";
  return { id: `id-${userName}`, userName, ...namesFrom(userName), email: userName, ...overrides };
}

/** The Identity Center user that matches a desired user exactly. */
export function icUserFrom(user: DesiredUser, id = `id-${user.userName}`): IcUser {
  const { previousUserNames: _p, reason: _r, googleId: _g, ...attributes } = user;
  return { id, ...attributes };
}

export function aMember(userName: string, reason = "orgUnit /Engineering"): DesiredMember {
  return { userName, reason };
}

/** An ownership record: what the run state says idc-sync owns. */
export function anOwnership(overrides: Partial<Ownership> = {}): Ownership {
  return { groups: {}, permissionSets: {}, users: {}, ...overrides };
}

export function aDesiredGroup(overrides: Partial<DesiredGroup> = {}): DesiredGroup {
  return { displayName: "developers", previousNames: [], members: [], ...overrides };
}

export function anIcGroup(overrides: Partial<IcGroup> = {}): IcGroup {
  const displayName = overrides.displayName ?? "developers";
  return { id: `gid-${displayName}`, displayName, members: [], ...overrides };
}

export function aDesiredPermissionSet(overrides: Partial<DesiredPermissionSet> = {}): DesiredPermissionSet {
  return {
    name: "Developer",
    sessionDuration: "PT8H",
    managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
    customerManagedPolicies: [],
    tags: {},
    ...overrides,
  };
}

export function anIcPermissionSet(overrides: Partial<IcPermissionSet> = {}): IcPermissionSet {
  const name = overrides.name ?? "Developer";
  return {
    ...aDesiredPermissionSet({ name }),
    arn: `arn:aws:sso:::permissionSet/ssoins-test/ps-${name}`,
    provisionedAccountIds: [],
    ...overrides,
  };
}

export function anAssignment(overrides: Partial<Assignment> = {}): Assignment {
  return {
    principalType: "GROUP",
    principalName: "developers",
    permissionSetName: "Developer",
    accountId: "111111111111",
    ...overrides,
  };
}

export function aDesiredAssignment(overrides: Partial<DesiredAssignment> = {}): DesiredAssignment {
  return { ...anAssignment(), reason: "assignments[0]: developers × Developer × dev", ...overrides };
}

export function aDesiredState(overrides: Partial<DesiredState> = {}): DesiredState {
  return { users: [], groups: [], permissionSets: [], assignments: [], absentReasons: {}, ...overrides };
}

export function anIdentityCenterState(overrides: Partial<IdentityCenterState> = {}): IdentityCenterState {
  return { users: [], groups: [], permissionSets: [], assignments: [], ...overrides };
}

export function aScope(overrides: Partial<Scope> = {}): Scope {
  return {
    domains: ["example.com"],
    staticUserNames: [],
    groupNames: ["developers"],
    permissionSetNames: ["Developer"],
    protectedUserNames: [],
    protectedGroupNames: [],
    leavers: "delete",
    ...overrides,
  };
}

export function anEmptyPlan(overrides: Partial<Plan> = {}): Plan {
  return { changes: [], notes: [], managedObjectCount: 0, ...overrides };
}

/**
 * The Identity Center state that holds exactly what `desired` asks for: what a perfect apply would
 * leave. Permission sets are provisioned to the accounts their assignments use.
 */
export function identityCenterStateFrom(desired: DesiredState): IdentityCenterState {
  const provisioned = new Map<string, Set<string>>();
  for (const a of desired.assignments) {
    const set = provisioned.get(a.permissionSetName) ?? new Set<string>();
    set.add(a.accountId);
    provisioned.set(a.permissionSetName, set);
  }
  return {
    users: desired.users.map((u) => icUserFrom(u)),
    groups: desired.groups.map((g) => ({
      id: `gid-${g.displayName}`,
      displayName: g.displayName,
      ...(g.description === undefined ? {} : { description: g.description }),
      members: g.members.map((m) => m.userName),
    })),
    permissionSets: desired.permissionSets.map(({ rule: _rule, ...p }) => ({
      ...structuredClone(p),
      arn: `arn:aws:sso:::permissionSet/ssoins-test/ps-${p.name}`,
      provisionedAccountIds: [...(provisioned.get(p.name) ?? [])].sort(),
    })),
    assignments: desired.assignments.map(({ reason: _r, sources: _s, ...a }) => a),
  };
}
