import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../src/adapters/file/strict-in-memory-identity-center.js";
import { applyPlan } from "../../src/sync/apply.js";
import { canonicalJson } from "../../src/sync/canonical-json.js";
import { assignmentChangeKey, compareChanges } from "../../src/sync/keys.js";
import type {
  DesiredState,
  IdentityCenterState,
  PermissionSetAttributes,
  Scope,
  UserAttributes,
} from "../../src/sync/model.js";
import { computePlan } from "../../src/sync/plan.js";
import {
  isManagedAssignment,
  isManagedGroup,
  isManagedPermissionSet,
  isManagedUser,
  isProtectedUser,
} from "../../src/sync/scope.js";
import { identityCenterStateFrom } from "../builders/model.js";
import { aWildWorld, aWorld, shuffleWorld } from "./arbitraries.js";

const runs = { numRuns: 200 };
/** Applying costs more than planning; fewer runs keep the suite within seconds on a shared machine. */
const applyRuns = { numRuns: 150 };
const lower = (s: string) => s.toLowerCase();
const sorted = (items: Iterable<string>) => [...items].sort();

async function applyFully(desired: DesiredState, actual: IdentityCenterState, scope: Scope) {
  const identityCenter = new StrictInMemoryIdentityCenter(actual);
  const plan = computePlan(desired, actual, scope);
  const report = await applyPlan(plan, identityCenter, { concurrency: 4 });
  return { plan, report, after: identityCenter.snapshot() };
}

/** The user attributes the rules manage, in comparable form (title and enterprise only when set). */
function managedAttributes(user: UserAttributes, wanted: UserAttributes) {
  return {
    userName: lower(user.userName),
    displayName: user.displayName,
    givenName: user.givenName,
    familyName: user.familyName,
    email: lower(user.email),
    title: wanted.title === undefined ? "(unmanaged)" : user.title,
    enterprise: wanted.enterprise === undefined ? "(unmanaged)" : canonicalJson(user.enterprise ?? {}),
  };
}

/** What the rules say Identity Center should hold inside scope, in comparable form. */
function expectedInsideScope(desired: DesiredState, scope: Scope, after: IdentityCenterState) {
  const managedUsers = desired.users.filter((u) => isManagedUser(scope, u.userName));
  const managedUserNames = new Set(managedUsers.map((u) => lower(u.userName)));
  const managedGroups = desired.groups.filter((g) => isManagedGroup(scope, g.displayName));
  const existing = new Set(after.users.map((u) => lower(u.userName)));
  const mayBeMember = (name: string) =>
    !isProtectedUser(scope, name) &&
    (managedUserNames.has(lower(name)) || (!isManagedUser(scope, name) && existing.has(lower(name))));
  const leaversKept =
    scope.leavers === "strip"
      ? after.users.filter(
          (u) => isManagedUser(scope, u.userName) && !managedUserNames.has(lower(u.userName)),
        )
      : [];
  const membersOfUnwantedGroups = after.groups
    .filter(
      (g) =>
        isManagedGroup(scope, g.displayName) && !managedGroups.some((w) => w.displayName === g.displayName),
    )
    .map((g) => [g.displayName, []] as const);
  return {
    users: sortedBy(
      [...managedUsers.map((u) => managedAttributes(u, u)), ...leaversKept.map((u) => lower(u.userName))],
      (u) => (typeof u === "string" ? u : u.userName),
    ),
    members: Object.fromEntries([
      ...managedGroups.map((g) => [
        g.displayName,
        sorted(
          new Set(
            g.members
              .map((m) => m.userName)
              .filter(mayBeMember)
              .map(lower),
          ),
        ),
      ]),
      ...membersOfUnwantedGroups,
    ]),
    assignments: sorted(
      desired.assignments
        .filter((a) =>
          a.principalType === "USER"
            ? managedUserNames.has(lower(a.principalName))
            : managedGroups.some((g) => g.displayName === a.principalName),
        )
        .map(assignmentChangeKey),
    ),
    permissionSets: desired.permissionSets
      .filter((p) => isManagedPermissionSet(scope, p.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((p) => withoutUnmanagedText(p, p)),
  };
}

/** A description or relay state the rules leave out is not managed (UpdatePermissionSet cannot clear it). */
function withoutUnmanagedText<T extends PermissionSetAttributes>(
  set: T,
  wanted: PermissionSetAttributes | undefined,
): T {
  const copy = { ...set };
  if (!wanted?.description) delete copy.description;
  if (!wanted?.relayState) delete copy.relayState;
  return copy;
}

/** What Identity Center holds inside scope, in the same form as `expectedInsideScope`. */
function viewInsideScope(after: IdentityCenterState, desired: DesiredState, scope: Scope) {
  const wanted = new Map(desired.users.map((u) => [lower(u.userName), u]));
  const desiredSets = new Set(desired.permissionSets.map((p) => p.name));
  return {
    users: sortedBy(
      after.users
        .filter((u) => isManagedUser(scope, u.userName))
        .map((u) => {
          const w = wanted.get(lower(u.userName));
          return w === undefined ? lower(u.userName) : managedAttributes(u, w);
        }),
      (u) => (typeof u === "string" ? u : u.userName),
    ),
    members: Object.fromEntries(
      after.groups
        .filter((g) => isManagedGroup(scope, g.displayName))
        .map((g) => [
          g.displayName,
          sorted((g.members ?? []).filter((m) => !isProtectedUser(scope, m)).map(lower)),
        ]),
    ),
    assignments: sorted(
      after.assignments.filter((a) => isManagedAssignment(scope, a)).map(assignmentChangeKey),
    ),
    permissionSets: after.permissionSets
      .filter((p) => isManagedPermissionSet(scope, p.name) && desiredSets.has(p.name))
      .map(({ arn: _arn, provisionedAccountIds: _ids, managedByTag: _tag, ...attributes }) =>
        withoutUnmanagedText(
          attributes,
          desired.permissionSets.find((p) => p.name === attributes.name),
        ),
      ),
  };
}

function sortedBy<T>(items: T[], keyOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

describe("computePlan properties", () => {
  it("plans nothing when Identity Center already holds the desired state", () => {
    fc.assert(
      fc.property(aWorld, ({ desired, scope }) => {
        expect(computePlan(desired, identityCenterStateFrom(desired), scope).changes).toEqual([]);
      }),
      runs,
    );
  });

  it("lists changes sorted by apply order then key, with unique keys", () => {
    fc.assert(
      fc.property(aWorld, ({ desired, actual, scope }) => {
        const { changes } = computePlan(desired, actual, scope);
        expect([...changes].sort(compareChanges)).toEqual(changes);
        expect(new Set(changes.map((c) => c.key)).size).toBe(changes.length);
      }),
      runs,
    );
  });

  it("does not depend on the order of its inputs", () => {
    fc.assert(
      fc.property(aWorld, fc.integer(), (world, seed) => {
        const shuffled = shuffleWorld(world, seed);
        expect(computePlan(shuffled.desired, shuffled.actual, shuffled.scope)).toEqual(
          computePlan(world.desired, world.actual, world.scope),
        );
      }),
      runs,
    );
  });

  it("never throws, whatever the inputs", () => {
    fc.assert(
      fc.property(aWildWorld, ({ desired, actual, scope }) => {
        const plan = computePlan(desired, actual, scope);
        expect(Array.isArray(plan.changes)).toBe(true);
      }),
      runs,
    );
  });

  it("applies without a failure, and a second plan after apply is empty", async () => {
    await fc.assert(
      fc.asyncProperty(aWorld, async ({ desired, actual, scope }) => {
        const { report, after } = await applyFully(desired, actual, scope);
        expect(report.outcomes.filter((o) => o.status !== "applied")).toEqual([]);
        expect(computePlan(desired, after, scope).changes).toEqual([]);
      }),
      applyRuns,
    );
  });

  it("leaves Identity Center equal to the desired state inside scope", async () => {
    await fc.assert(
      fc.asyncProperty(aWorld, async ({ desired, actual, scope }) => {
        const { after } = await applyFully(desired, actual, scope);
        expect(viewInsideScope(after, desired, scope)).toEqual(expectedInsideScope(desired, scope, after));
      }),
      applyRuns,
    );
  });

  it("changes nothing outside scope", async () => {
    await fc.assert(
      fc.asyncProperty(aWorld, async ({ desired, actual, scope }) => {
        const { after } = await applyFully(desired, actual, scope);
        const before = new StrictInMemoryIdentityCenter(actual).snapshot();
        const outside = (state: IdentityCenterState) => {
          const unmanagedUserNames = new Set(
            state.users.filter((u) => !isManagedUser(scope, u.userName)).map((u) => lower(u.userName)),
          );
          return {
            users: state.users.filter((u) => !isManagedUser(scope, u.userName)),
            groups: state.groups
              .filter((g) => !isManagedGroup(scope, g.displayName))
              .map((g) => ({
                ...g,
                members: (g.members ?? []).filter((m) => unmanagedUserNames.has(lower(m))),
              })),
            permissionSets: state.permissionSets.filter((p) => !isManagedPermissionSet(scope, p.name)),
            assignments: state.assignments.filter((a) => !isManagedAssignment(scope, a)),
          };
        };
        expect(outside(after)).toEqual(outside(before));
      }),
      applyRuns,
    );
  });
});
