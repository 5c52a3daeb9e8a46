import { describe, expect, it } from "vitest";
import { checkGuards } from "../../../src/sync/guards.js";
import type { Plan } from "../../../src/sync/model.js";
import { readScopeFor, settleOwnership } from "../../../src/sync/ownership.js";
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
  anOwnership,
  aScope,
  icUserFrom,
} from "../../builders/model.js";

const lines = (plan: Plan) => plan.changes.map((c) => `${c.kind} ${c.key} # ${c.reason}`);
const kinds = (plan: Plan) => plan.changes.map((c) => c.kind);

// The rules now: developers × Developer. They used to also have kaigodx-developers (groups[2]) with
// Developer and ReadOnly (permissionSets[2]) grants.
const alice = aDesiredUser({ userName: "alice@example.com" });
const bob = aDesiredUser({ userName: "bob@example.com" });
const desired = aDesiredState({
  users: [alice, bob],
  groups: [
    aDesiredGroup({ displayName: "developers", rule: "groups[1]", members: [aMember(alice.userName)] }),
  ],
  permissionSets: [aDesiredPermissionSet({ name: "Developer", rule: "permissionSets[1]" })],
  assignments: [aDesiredAssignment()],
});
const scope = aScope({ groupNames: ["developers"], permissionSetNames: ["Developer"] });

function identityCenterWith(extra: Partial<ReturnType<typeof anIdentityCenterState>> = {}) {
  const base = {
    users: [icUserFrom(alice), icUserFrom(bob)],
    groups: [
      anIcGroup({ displayName: "developers", members: [alice.userName] }),
      anIcGroup({ displayName: "kaigodx-developers", members: [alice.userName, bob.userName] }),
    ],
    permissionSets: [anIcPermissionSet({ name: "Developer" }), anIcPermissionSet({ name: "ReadOnly" })],
    assignments: [
      anAssignment(),
      anAssignment({ principalName: "kaigodx-developers", accountId: "333333333333" }),
      anAssignment({
        principalName: "kaigodx-developers",
        permissionSetName: "ReadOnly",
        accountId: "444444444444",
      }),
    ],
  };
  return anIdentityCenterState({ ...base, ...extra });
}

const owned = anOwnership({
  groups: {
    developers: { rule: "groups[1]", origin: "created" },
    "kaigodx-developers": { rule: "groups[2]", origin: "created" },
  },
  permissionSets: {
    Developer: { rule: "permissionSets[1]", origin: "created" },
    ReadOnly: { rule: "permissionSets[2]", origin: "created" },
  },
});

describe("computePlan when something leaves the rules", () => {
  it("removes a group that left the rules: its assignments, its memberships, then the group, each saying where it came from", () => {
    const plan = computePlan(desired, identityCenterWith(), scope, owned);

    const group = "removed from the rules (was groups[2] kaigodx-developers)";
    const readOnly = "removed from the rules (was permissionSets[2] ReadOnly)";
    expect(lines(plan)).toEqual([
      `deleteAssignment assignment:GROUP:kaigodx-developers:Developer:333333333333 # ${group}`,
      `deleteAssignment assignment:GROUP:kaigodx-developers:ReadOnly:444444444444 # ${group}`,
      `removeMember member:kaigodx-developers:alice@example.com # ${group}`,
      `removeMember member:kaigodx-developers:bob@example.com # ${group}`,
      `deleteGroup group:kaigodx-developers # ${group}`,
      `deletePermissionSet permissionSet:ReadOnly # ${readOnly}`,
    ]);
    expect(plan.notes.map((note) => note.detail).join("\n")).not.toContain("kaigodx-developers");
  });

  it("removes a permission set that left the rules only after every assignment of it, whoever holds it", () => {
    const actual = identityCenterWith({
      assignments: [
        anAssignment(),
        anAssignment({ permissionSetName: "ReadOnly", accountId: "444444444444" }),
        anAssignment({
          principalType: "USER",
          principalName: "alice@example.com",
          permissionSetName: "ReadOnly",
          accountId: "444444444444",
        }),
      ],
    });

    const plan = computePlan(desired, actual, scope, owned);

    const readOnly = "removed from the rules (was permissionSets[2] ReadOnly)";
    expect(lines(plan).filter((line) => line.includes("ReadOnly"))).toEqual([
      `deleteAssignment assignment:GROUP:developers:ReadOnly:444444444444 # ${readOnly}`,
      `deleteAssignment assignment:USER:alice@example.com:ReadOnly:444444444444 # ${readOnly}`,
      `deletePermissionSet permissionSet:ReadOnly # ${readOnly}`,
    ]);
  });

  it("keeps a permission set that a principal idc-sync does not manage still uses, and says what to do", () => {
    const actual = identityCenterWith({
      groups: [
        anIcGroup({ displayName: "developers", members: [alice.userName] }),
        anIcGroup({ displayName: "handmade", members: undefined }),
      ],
      assignments: [
        anAssignment(),
        anAssignment({ permissionSetName: "ReadOnly", accountId: "444444444444" }),
        anAssignment({ principalName: "handmade", permissionSetName: "ReadOnly", accountId: "444444444444" }),
      ],
    });

    const plan = computePlan(desired, actual, scope, owned);

    expect(kinds(plan)).toEqual(["deleteAssignment"]);
    expect(plan.changes[0]?.key).toBe("assignment:GROUP:developers:ReadOnly:444444444444");
    expect(plan.notes).toContainEqual({
      kind: "keptInUse",
      name: "ReadOnly",
      detail:
        "removed from the rules (was permissionSets[2] ReadOnly), but it is still assigned to group handmade, which idc-sync does not manage; remove those assignments and idc-sync deletes it",
    });
    // Not deleted, so still owned: the next run tries again.
    expect(plan.ownership?.permissionSets.ReadOnly).toEqual({ rule: "permissionSets[2]", origin: "created" });
  });

  it("keeps a group with a protected member, but takes away everything else it gave", () => {
    const actual = identityCenterWith({
      users: [icUserFrom(alice), icUserFrom(bob), anIcUser({ userName: "breakglass@example.com" })],
      groups: [
        anIcGroup({ displayName: "developers", members: [alice.userName] }),
        anIcGroup({
          displayName: "kaigodx-developers",
          members: [alice.userName, "breakglass@example.com"],
        }),
      ],
    });

    const plan = computePlan(
      desired,
      actual,
      { ...scope, protectedUserNames: ["breakglass@example.com"] },
      owned,
    );

    expect(kinds(plan)).toEqual([
      "deleteAssignment",
      "deleteAssignment",
      "removeMember",
      "deletePermissionSet",
    ]);
    expect(plan.changes.some((c) => c.key === "member:kaigodx-developers:breakglass@example.com")).toBe(
      false,
    );
    expect(plan.notes.find((note) => note.name === "kaigodx-developers")?.detail).toBe(
      "removed from the rules (was groups[2] kaigodx-developers), but protected user breakglass@example.com is a member; the group is kept",
    );
  });

  it("never plans a removal of what it never owned: unknown groups and permission sets stay left alone", () => {
    const plan = computePlan(desired, identityCenterWith(), scope, anOwnership());

    expect(kinds(plan)).toEqual([]);
    expect(plan.notes).toContainEqual({
      kind: "unmanagedGroup",
      name: "1 group",
      detail: "not named in the rules, left alone: kaigodx-developers",
    });
  });

  it("never removes a protected group, whatever the record says", () => {
    const plan = computePlan(
      desired,
      identityCenterWith(),
      { ...scope, protectedGroupNames: ["kaigodx-developers"] },
      owned,
    );

    expect(plan.changes.filter((c) => c.key.includes("kaigodx-developers"))).toEqual([]);
  });

  it("with the record lost, recognises permission sets by their managed-by tag and leaves groups alone", () => {
    const actual = identityCenterWith({
      permissionSets: [
        anIcPermissionSet({ name: "Developer", managedByTag: true }),
        anIcPermissionSet({ name: "ReadOnly", managedByTag: true }),
        anIcPermissionSet({ name: "AWSAdministratorAccess" }),
      ],
      assignments: [anAssignment()],
    });

    const plan = computePlan(desired, actual, scope, undefined);

    expect(lines(plan)).toEqual([
      "deletePermissionSet permissionSet:ReadOnly # removed from the rules (ReadOnly is tagged managed-by=idc-sync)",
    ]);
    expect(plan.notes.find((note) => note.kind === "unmanagedGroup")?.detail).toBe(
      "not named in the rules, left alone: kaigodx-developers",
    );
  });

  it("with a record, goes by the record: a tagged permission set it does not hold is left alone", () => {
    const actual = identityCenterWith({
      permissionSets: [
        anIcPermissionSet({ name: "Developer" }),
        anIcPermissionSet({ name: "Imported", managedByTag: true }),
      ],
      assignments: [anAssignment()],
    });

    expect(computePlan(desired, actual, scope, anOwnership()).changes).toEqual([]);
  });

  it("takes away what a removed assignment rule granted, and nothing else", () => {
    const plan = computePlan(
      aDesiredState({ ...desired, assignments: [] }),
      identityCenterWith({ assignments: [anAssignment()] }),
      scope,
      owned,
    );

    expect(lines(plan)).toEqual([
      "deleteAssignment assignment:GROUP:developers:Developer:111111111111 # not granted by any rule",
      "removeMember member:kaigodx-developers:alice@example.com # removed from the rules (was groups[2] kaigodx-developers)",
      "removeMember member:kaigodx-developers:bob@example.com # removed from the rules (was groups[2] kaigodx-developers)",
      "deleteGroup group:kaigodx-developers # removed from the rules (was groups[2] kaigodx-developers)",
      "deletePermissionSet permissionSet:ReadOnly # removed from the rules (was permissionSets[2] ReadOnly)",
    ]);
  });

  it("counts every removal against maxDeletions and says what would go", () => {
    const plan = computePlan(desired, identityCenterWith(), scope, owned);

    const verdict = checkGuards(plan, { maxDeletions: 3, directoryUserCount: 2 });

    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.violations[0]?.message).toBe(
      "The plan would remove 6 objects (1 permission set ReadOnly; 1 group kaigodx-developers; 2 memberships; 2 assignments); safety.maxDeletions allows 3. Nothing was applied. Review the plan, then re-run with --allow-deletions 6 to apply it.",
    );
  });

  it("counts the groups and permission sets it may remove among the managed objects", () => {
    // alice, bob; developers, kaigodx-developers; Developer, ReadOnly; 3 memberships; 3 assignments.
    expect(computePlan(desired, identityCenterWith(), scope, owned).managedObjectCount).toBe(12);
  });
});

describe("the ownership record", () => {
  it("records the rules' groups and permission sets with their rule, created or adopted, and forgets what the plan removes", () => {
    const actual = identityCenterWith({
      groups: [anIcGroup({ displayName: "kaigodx-developers", members: [] })],
      permissionSets: [anIcPermissionSet({ name: "ReadOnly" })],
      assignments: [],
    });

    const plan = computePlan(desired, actual, scope, anOwnership({ groups: owned.groups }));

    expect(plan.ownership).toEqual({
      groups: { developers: { rule: "groups[1]", origin: "created" } },
      permissionSets: { Developer: { rule: "permissionSets[1]", origin: "created" } },
      users: {},
    });
  });

  it("calls a permission set found under its name adopted, unless it carries idc-sync's tag", () => {
    const plan = (managedByTag: boolean) =>
      computePlan(
        desired,
        identityCenterWith({ permissionSets: [anIcPermissionSet({ name: "Developer", managedByTag })] }),
        scope,
        anOwnership(),
      );

    expect(plan(false).ownership?.permissionSets.Developer?.origin).toBe("adopted");
    expect(plan(true).ownership?.permissionSets.Developer?.origin).toBe("created");
  });

  it("keeps what a change that did not happen still leaves in place, so the next run tries again", () => {
    const plan = computePlan(desired, identityCenterWith(), scope, owned);
    const failed = plan.changes.filter((c) => c.kind === "deleteGroup" || c.kind === "createGroup");

    const kept = settleOwnership(plan, owned, failed);

    expect(kept?.groups["kaigodx-developers"]).toEqual({ rule: "groups[2]", origin: "created" });
    expect(settleOwnership(plan, owned, [])?.groups["kaigodx-developers"]).toBeUndefined();
  });

  it("does not record a group whose creation did not happen", () => {
    const plan = computePlan(desired, anIdentityCenterState(), scope, anOwnership());

    expect(plan.ownership?.groups.developers).toEqual({ rule: "groups[1]", origin: "created" });
    expect(settleOwnership(plan, anOwnership(), plan.changes)?.groups).toEqual({});
  });

  it("asks adapters to read what it owns beyond the rules, or, with no record, to look for the managed-by tag", () => {
    expect(readScopeFor(scope, owned)).toMatchObject({
      ownedGroupNames: ["kaigodx-developers"],
      ownedPermissionSetNames: ["ReadOnly"],
    });
    expect(readScopeFor(scope, owned).findTaggedPermissionSets).toBeUndefined();
    expect(readScopeFor(scope, undefined).findTaggedPermissionSets).toBe(true);
  });
});
