/**
 * Generators of whole worlds (desired state, actual Identity Center state, scope) for property tests.
 * Names come from small pools so desired and actual overlap often: renames, leavers, protected and
 * unmanaged principals, mixed-case userNames and stale previous names all show up in a few hundred runs.
 */
import fc from "fast-check";
import type {
  Assignment,
  DesiredAssignment,
  DesiredGroup,
  DesiredPermissionSet,
  DesiredState,
  DesiredUser,
  IcGroup,
  IcPermissionSet,
  IcUser,
  IdentityCenterState,
  PermissionSetAttributes,
  Scope,
} from "../../src/sync/model.js";

export interface World {
  desired: DesiredState;
  actual: IdentityCenterState;
  scope: Scope;
}

type Gen = fc.GeneratorValue;

const locals = ["alice", "bob", "carol", "dave", "erin", "frank"];
const domains = ["example.com", "other.org", "partner.example"];
export const userPool = locals.flatMap((local) => domains.map((domain) => `${local}@${domain}`));
export const groupPool = ["g1", "g2", "g3", "g4", "g5"];
const permissionSetPool = ["P1", "P2", "P3"];
const accounts = ["111111111111", "222222222222", "333333333333"];
const policyArns = ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B", "arn:aws:iam::aws:policy/C"];
const inlinePolicies = [
  '{"Statement":[],"Version":"2012-10-17"}',
  '{"Statement":[{"Effect":"Allow"}],"Version":"2012-10-17"}',
];

function pick<T>(g: Gen, items: readonly T[]): T {
  return g(fc.constantFrom<T[]>, ...items);
}

function subset<T>(g: Gen, items: readonly T[], maxLength = items.length): T[] {
  return g(fc.subarray<T>, [...items], { maxLength: Math.min(maxLength, items.length) });
}

function maybe<T>(g: Gen, make: () => T): T | undefined {
  return g(fc.boolean) ? make() : undefined;
}

/** Adds `key: value` only when value is defined, as adapters and the mapping do. */
function withOptional<T extends object, K extends string, V>(object: T, key: K, value: V | undefined): T {
  return value === undefined ? object : { ...object, [key]: value };
}

function userAttributes(g: Gen, userName: string, email: string) {
  let user = {
    userName,
    displayName: pick(g, ["Display A", "Display B"]),
    givenName: pick(g, ["Given A", "Given B"]),
    familyName: pick(g, ["Family A", "Family B"]),
    email,
  };
  user = withOptional(
    user,
    "title",
    maybe(g, () => pick(g, ["Engineer", "Lead"])),
  );
  user = withOptional(
    user,
    "enterprise",
    maybe(g, () =>
      withOptional(
        {},
        "department",
        maybe(g, () => pick(g, ["Support", "Engineering"])),
      ),
    ),
  );
  return user;
}

function permissionSetAttributes(g: Gen, name: string): PermissionSetAttributes {
  let set: PermissionSetAttributes = {
    name,
    sessionDuration: pick(g, ["PT1H", "PT8H"]),
    managedPolicyArns: subset(g, policyArns),
    customerManagedPolicies: subset(g, [
      { name: "cm-a", path: "/" },
      { name: "cm-b", path: "/team/" },
    ]),
    tags: pick<Record<string, string>>(g, [{}, { team: "a" }, { team: "b", cost: "1" }]),
  };
  set = withOptional(
    set,
    "description",
    maybe(g, () => pick(g, ["first", "second"])),
  );
  set = withOptional(
    set,
    "inlinePolicy",
    maybe(g, () => pick(g, inlinePolicies)),
  );
  set = withOptional(
    set,
    "permissionsBoundary",
    maybe(g, () =>
      pick(g, [
        { kind: "managed" as const, managedPolicyArn: "arn:aws:iam::aws:policy/Boundary" },
        { kind: "customerManaged" as const, policy: { name: "boundary", path: "/" } },
      ]),
    ),
  );
  return set;
}

function mixedCase(g: Gen, userName: string): string {
  return g(fc.boolean) ? userName : userName.charAt(0).toUpperCase() + userName.slice(1);
}

function buildDesired(g: Gen): DesiredState {
  const userNames = subset(g, userPool, 8);
  const users: DesiredUser[] = userNames.map((userName) => ({
    ...userAttributes(g, userName, userName),
    previousUserNames: subset(
      g,
      userPool.filter((other) => other !== userName),
      2,
    ),
    reason: `wanted: ${userName}`,
  }));
  const groups: DesiredGroup[] = subset(g, groupPool, 4).map((displayName) =>
    withOptional(
      {
        displayName,
        previousNames: subset(
          g,
          groupPool.filter((other) => other !== displayName),
          1,
        ),
        members: subset(g, userNames).map((userName) => ({ userName, reason: `rule for ${displayName}` })),
      },
      "description",
      maybe(g, () => pick(g, ["about", "other"])),
    ),
  );
  const permissionSets: DesiredPermissionSet[] = subset(g, permissionSetPool).map((name) =>
    permissionSetAttributes(g, name),
  );
  const principals = [
    ...userNames.map((name) => ({ principalType: "USER" as const, principalName: name })),
    ...groups.map((group) => ({ principalType: "GROUP" as const, principalName: group.displayName })),
  ];
  const combos = principals.flatMap((principal) =>
    permissionSets.flatMap((set) =>
      accounts.map((accountId) => ({ ...principal, permissionSetName: set.name, accountId })),
    ),
  );
  const assignments: DesiredAssignment[] = subset(g, combos, 6).map((a) => ({
    ...a,
    reason: `grant ${a.principalName}`,
  }));
  const absentReasons = Object.fromEntries(
    subset(
      g,
      userPool.filter((name) => !userNames.includes(name)),
      4,
    ).map((name) => [name, "suspended in Google"]),
  );
  return { users, groups, permissionSets, assignments, absentReasons };
}

function buildActual(g: Gen): IdentityCenterState {
  const users: IcUser[] = subset(g, userPool, 10).map((name, index) => {
    const userName = mixedCase(g, name);
    return { id: `u-${index}`, ...userAttributes(g, userName, pick(g, [name, `x.${name}`])) };
  });
  const groups: IcGroup[] = subset(g, [...groupPool, "AWSControlTowerAdmins"], 5).map((displayName, index) =>
    withOptional(
      {
        id: `g-${index}`,
        displayName,
        members: subset(
          g,
          users.map((u) => u.userName),
          5,
        ),
      },
      "description",
      maybe(g, () => pick(g, ["about", "other"])),
    ),
  );
  const permissionSets: IcPermissionSet[] = subset(g, [...permissionSetPool, "Legacy"]).map((name) => ({
    ...permissionSetAttributes(g, name),
    arn: `arn:aws:sso:::permissionSet/ssoins-test/ps-${name}`,
    provisionedAccountIds: subset(g, accounts),
  }));
  const principals = [
    ...users.map((u) => ({ principalType: "USER" as const, principalName: u.userName })),
    ...groups.map((group) => ({ principalType: "GROUP" as const, principalName: group.displayName })),
  ];
  const combos: Assignment[] = principals.flatMap((principal) =>
    permissionSets.flatMap((set) =>
      accounts.map((accountId) => ({ ...principal, permissionSetName: set.name, accountId })),
    ),
  );
  return { users, groups, permissionSets, assignments: subset(g, combos, 8) };
}

function buildScope(g: Gen, desired: DesiredState): Scope {
  const ruleGroups = desired.groups.flatMap((group) => [group.displayName, ...group.previousNames]);
  return {
    domains: subset(g, ["example.com", "other.org"]),
    staticUserNames: subset(
      g,
      userPool.filter((name) => name.endsWith("@partner.example")),
      3,
    ),
    groupNames: [...new Set([...ruleGroups, ...subset(g, groupPool, 1)])],
    permissionSetNames: [
      ...new Set([...desired.permissionSets.map((p) => p.name), ...subset(g, permissionSetPool, 1)]),
    ],
    protectedUserNames: subset(g, userPool, 2),
    protectedGroupNames: subset(g, [...groupPool, "AWSControlTowerAdmins"], 2),
    leavers: pick(g, ["delete", "strip"] as const),
  };
}

/** A world whose scope is derived from the desired state the way `scopeFromRules` derives it. */
export const aWorld: fc.Arbitrary<World> = fc.gen().map((g) => {
  const desired = buildDesired(g);
  return { desired, actual: buildActual(g), scope: buildScope(g, desired) };
});

/** Shuffles every list in a world (and every member list), deterministically from `seed`. */
export function shuffleWorld(world: World, seed: number): World {
  const random = mulberry32(seed);
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  const { desired, actual, scope } = world;
  return {
    desired: {
      users: shuffle(desired.users).map((u) => ({ ...u, previousUserNames: shuffle(u.previousUserNames) })),
      groups: shuffle(desired.groups).map((group) => ({
        ...group,
        previousNames: shuffle(group.previousNames),
        members: shuffle(group.members),
      })),
      permissionSets: shuffle(desired.permissionSets),
      assignments: shuffle(desired.assignments),
      absentReasons: Object.fromEntries(shuffle(Object.entries(desired.absentReasons))),
    },
    actual: {
      users: shuffle(actual.users),
      groups: shuffle(actual.groups).map((group) =>
        group.members === undefined ? group : { ...group, members: shuffle(group.members) },
      ),
      permissionSets: shuffle(actual.permissionSets).map((p) => ({
        ...p,
        provisionedAccountIds: shuffle(p.provisionedAccountIds),
      })),
      assignments: shuffle(actual.assignments),
    },
    scope: {
      ...scope,
      domains: shuffle(scope.domains),
      staticUserNames: shuffle(scope.staticUserNames),
      groupNames: shuffle(scope.groupNames),
      permissionSetNames: shuffle(scope.permissionSetNames),
      protectedUserNames: shuffle(scope.protectedUserNames),
      protectedGroupNames: shuffle(scope.protectedGroupNames),
    },
  };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ─── Wild inputs, for "never throws" ────────────────────────────────────────────────────────────────

const wildName = fc.string({ unit: fc.constantFrom("a", "B", "@", ".", "x", "", " ", "é"), maxLength: 6 });
const wildList = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { maxLength: 5 });

const wildUser = fc.record({
  userName: wildName,
  displayName: wildName,
  givenName: wildName,
  familyName: wildName,
  email: wildName,
});

const wildPermissionSet = fc.record({
  name: wildName,
  sessionDuration: wildName,
  managedPolicyArns: wildList(wildName),
  customerManagedPolicies: wildList(fc.record({ name: wildName, path: wildName })),
  inlinePolicy: fc.option(wildName, { nil: undefined }),
  tags: fc.dictionary(wildName, wildName, { maxKeys: 2 }),
});

const wildAssignment = fc.record({
  principalType: fc.constantFrom("USER" as const, "GROUP" as const),
  principalName: wildName,
  permissionSetName: wildName,
  accountId: wildName,
});

/** Inconsistent, duplicated, oddly spelled inputs that no adapter should produce, but might. */
export const aWildWorld: fc.Arbitrary<World> = fc.record({
  desired: fc.record({
    users: wildList(
      wildUser.chain((u) =>
        fc
          .record({ previousUserNames: wildList(wildName), reason: wildName })
          .map((rest) => ({ ...u, ...rest })),
      ),
    ),
    groups: wildList(
      fc.record({
        displayName: wildName,
        description: fc.option(wildName, { nil: undefined }),
        previousNames: wildList(wildName),
        members: wildList(fc.record({ userName: wildName, reason: wildName })),
      }),
    ),
    permissionSets: wildList(wildPermissionSet),
    assignments: wildList(wildAssignment.chain((a) => wildName.map((reason) => ({ ...a, reason })))),
    absentReasons: fc.dictionary(wildName, wildName, { maxKeys: 3 }),
  }),
  actual: fc.record({
    users: wildList(wildUser.chain((u) => wildName.map((id) => ({ ...u, id })))),
    groups: wildList(
      fc.record({
        id: wildName,
        displayName: wildName,
        members: fc.option(wildList(wildName), { nil: undefined }),
      }),
    ),
    permissionSets: wildList(
      wildPermissionSet.chain((p) =>
        fc
          .record({ arn: wildName, provisionedAccountIds: wildList(wildName) })
          .map((rest) => ({ ...p, ...rest })),
      ),
    ),
    assignments: wildList(wildAssignment),
  }),
  scope: fc.record({
    domains: wildList(wildName),
    staticUserNames: wildList(wildName),
    groupNames: wildList(wildName),
    permissionSetNames: wildList(wildName),
    protectedUserNames: wildList(wildName),
    protectedGroupNames: wildList(wildName),
    leavers: fc.constantFrom("delete" as const, "strip" as const),
  }),
});
