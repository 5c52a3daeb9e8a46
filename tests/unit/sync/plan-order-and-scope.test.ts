import { describe, expect, it } from "vitest";
import { changeKindOrder } from "../../../src/sync/model.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  aDesiredAssignment,
  aDesiredGroup,
  aDesiredPermissionSet,
  aDesiredState,
  aDesiredUser,
  aMember,
  anAssignment,
  anIcGroup,
  anIcPermissionSet,
  anIcUser,
  anIdentityCenterState,
  aScope,
  identityCenterStateFrom,
} from "../../builders/model.js";

const desired = aDesiredState({
  users: [aDesiredUser({ userName: "bob@example.com" }), aDesiredUser({ userName: "alice@example.com" })],
  groups: [
    aDesiredGroup({
      displayName: "developers",
      members: [aMember("bob@example.com"), aMember("alice@example.com")],
    }),
    aDesiredGroup({ displayName: "admins", members: [aMember("alice@example.com")] }),
  ],
  permissionSets: [aDesiredPermissionSet({ name: "Developer" }), aDesiredPermissionSet({ name: "Admin" })],
  assignments: [
    aDesiredAssignment({ principalName: "developers" }),
    aDesiredAssignment({ principalName: "admins", permissionSetName: "Admin" }),
  ],
});
const scope = aScope({ groupNames: ["developers", "admins"], permissionSetNames: ["Developer", "Admin"] });

describe("computePlan as a whole", () => {
  it("is empty when Identity Center already holds the desired state", () => {
    const plan = computePlan(desired, identityCenterStateFrom(desired), scope);
    expect(plan.changes).toEqual([]);
  });

  it("sorts changes by apply order, then key", () => {
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "zed@example.com" })],
      groups: [anIcGroup({ displayName: "developers", members: ["zed@example.com"] })],
    });
    const plan = computePlan(desired, actual, scope);
    const ranks = plan.changes.map((c) => changeKindOrder.indexOf(c.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const kinds = new Set(plan.changes.map((c) => c.kind));
    for (const kind of kinds) {
      const keysOfKind = plan.changes.filter((c) => c.kind === kind).map((c) => c.key);
      expect(keysOfKind).toEqual([...keysOfKind].sort());
    }
    expect(new Set(plan.changes.map((c) => c.key)).size).toBe(plan.changes.length);
  });

  it("does not depend on the order of its inputs", () => {
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "zed@example.com" }), anIcUser({ userName: "yan@example.com" })],
      groups: [anIcGroup({ displayName: "developers", members: ["zed@example.com", "yan@example.com"] })],
      assignments: [anAssignment({ accountId: "3" }), anAssignment({ accountId: "2" })],
    });
    const reversed = {
      ...desired,
      users: [...desired.users].reverse(),
      groups: [...desired.groups].reverse().map((g) => ({ ...g, members: [...g.members].reverse() })),
      assignments: [...desired.assignments].reverse(),
    };
    const reversedActual = {
      ...actual,
      users: [...actual.users].reverse(),
      groups: actual.groups.map((g) => ({ ...g, members: [...(g.members ?? [])].reverse() })),
      assignments: [...actual.assignments].reverse(),
    };
    expect(computePlan(reversed, reversedActual, scope)).toEqual(computePlan(desired, actual, scope));
  });

  it("counts managed users, groups, permission sets, memberships of managed groups and managed assignments", () => {
    const actual = anIdentityCenterState({
      users: [
        anIcUser({ userName: "alice@example.com" }),
        anIcUser({ userName: "guest@other.org" }),
        anIcUser({ userName: "breakglass@example.com" }),
      ],
      groups: [
        anIcGroup({ displayName: "developers", members: ["alice@example.com", "breakglass@example.com"] }),
        anIcGroup({ displayName: "unmanaged", members: ["alice@example.com"] }),
      ],
      permissionSets: [anIcPermissionSet()],
      assignments: [anAssignment(), anAssignment({ principalName: "unmanaged" })],
    });
    const plan = computePlan(desired, actual, { ...scope, protectedUserNames: ["breakglass@example.com"] });
    // alice; developers; Developer; developers ∋ alice; developers × Developer
    expect(plan.managedObjectCount).toBe(5);
  });

  it("keeps notes about many unmanaged users to one bounded line", () => {
    const outsiders = Array.from({ length: 50 }, (_, i) =>
      anIcUser({ userName: `guest${String(i).padStart(2, "0")}@other.org` }),
    );
    const plan = computePlan(aDesiredState(), anIdentityCenterState({ users: outsiders }), aScope());
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual([
      {
        kind: "unmanagedUser",
        name: "50 users",
        detail:
          "outside the managed domains, left alone: guest00@other.org, guest01@other.org, guest02@other.org, guest03@other.org, guest04@other.org and 45 more",
      },
    ]);
  });

  it("creates nothing for a desired user outside scope or protected, and notes both", () => {
    const plan = computePlan(
      aDesiredState({
        users: [
          aDesiredUser({ userName: "someone@other.org" }),
          aDesiredUser({ userName: "breakglass@example.com" }),
        ],
      }),
      anIdentityCenterState(),
      aScope({ protectedUserNames: ["breakglass@example.com"] }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.notes.map((n) => `${n.kind} ${n.name}`)).toEqual([
      "protected breakglass@example.com",
      "unmanagedUser someone@other.org",
    ]);
  });

  it("manages static users outside the domains like any other", () => {
    const partner = aDesiredUser({ userName: "saburo-kato@partner.example", reason: "static user" });
    const plan = computePlan(
      aDesiredState({ users: [partner] }),
      anIdentityCenterState(),
      aScope({ staticUserNames: ["saburo-kato@partner.example"] }),
    );
    expect(plan.changes.map((c) => `${c.kind} ${c.reason}`)).toEqual(["createUser static user"]);
  });
});
