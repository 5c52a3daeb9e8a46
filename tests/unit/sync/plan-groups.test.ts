import { describe, expect, it } from "vitest";
import type { Plan } from "../../../src/sync/model.js";
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
  icUserFrom,
} from "../../builders/model.js";

const keys = (plan: Plan) => plan.changes.map((c) => `${c.kind} ${c.key}`);

describe("computePlan for groups and memberships", () => {
  it("creates a group the rules define and adds its members with their reasons", () => {
    const alice = aDesiredUser();
    const desired = aDesiredState({
      users: [alice],
      groups: [
        aDesiredGroup({
          description: "Engineers",
          members: [aMember(alice.userName, "orgUnit /Engineering")],
        }),
      ],
    });
    const plan = computePlan(desired, anIdentityCenterState({ users: [icUserFrom(alice)] }), aScope());
    expect(plan.changes).toEqual([
      {
        kind: "createGroup",
        key: "group:developers",
        reason: "defined in the rules",
        displayName: "developers",
        description: "Engineers",
      },
      {
        kind: "addMember",
        key: "member:developers:alice@example.com",
        reason: "orgUnit /Engineering",
        groupName: "developers",
        userName: "alice@example.com",
      },
    ]);
  });

  it("updates a description that differs", () => {
    const desired = aDesiredState({ groups: [aDesiredGroup({ description: "Engineers" })] });
    const actual = anIdentityCenterState({ groups: [anIcGroup({ description: "Old text" })] });
    const [change] = computePlan(desired, actual, aScope()).changes;
    expect(change).toMatchObject({
      kind: "updateGroup",
      currentDisplayName: "developers",
      displayName: "developers",
      description: "Engineers",
      fields: [{ field: "description", from: "Old text", to: "Engineers" }],
    });
  });

  it("removes a member the rules no longer match, saying which group's rules", () => {
    const bob = aDesiredUser({ userName: "bob@example.com" });
    const desired = aDesiredState({ users: [bob], groups: [aDesiredGroup()] });
    const actual = anIdentityCenterState({
      users: [icUserFrom(bob)],
      groups: [anIcGroup({ members: ["Bob@example.com"] })],
    });
    const plan = computePlan(desired, actual, aScope());
    expect(plan.changes).toEqual([
      {
        kind: "removeMember",
        key: "member:developers:bob@example.com",
        reason: "no longer matched by the rules for developers",
        groupName: "developers",
        userName: "Bob@example.com",
      },
    ]);
  });

  it("never deletes a group, even one dropped from the rules", () => {
    const actual = anIdentityCenterState({ groups: [anIcGroup({ displayName: "old-team", members: [] })] });
    const plan = computePlan(aDesiredState(), actual, aScope({ groupNames: [] }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes.map((n) => n.kind)).toEqual(["unmanagedGroup"]);
  });

  it("never touches the membership of a protected user in a managed group", () => {
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "breakglass@example.com" })],
      groups: [anIcGroup({ members: ["breakglass@example.com"] })],
    });
    const plan = computePlan(
      aDesiredState({ groups: [aDesiredGroup()] }),
      actual,
      aScope({ protectedUserNames: ["breakglass@example.com"] }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toContainEqual({
      kind: "protected",
      name: "breakglass@example.com",
      detail: "protected by safety.protect; left alone",
    });
  });

  it("adds nothing speculative for a group whose memberships were not read", () => {
    const alice = aDesiredUser();
    const desired = aDesiredState({
      users: [alice],
      groups: [aDesiredGroup({ members: [aMember(alice.userName)] })],
    });
    const actual = anIdentityCenterState({
      users: [icUserFrom(alice)],
      groups: [anIcGroup({ members: undefined })],
    });
    const plan = computePlan(desired, actual, aScope());
    expect(plan.changes).toEqual([]);
    expect(plan.notes.map((n) => `${n.kind} ${n.name}`)).toContain("unmanagedGroup developers");
  });

  it("leaves unmanaged groups and their members alone", () => {
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "carol@example.com" })],
      groups: [anIcGroup({ displayName: "AWSControlTowerAdmins", members: ["carol@example.com"] })],
    });
    const plan = computePlan(aDesiredState(), actual, aScope({ leavers: "strip" }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes.map((n) => n.detail)).toContain(
      "keeps leaver carol@example.com as a member; the group is not managed by idc-sync",
    );
  });

  describe("renamed in the rules", () => {
    const platform = aDesiredGroup({
      displayName: "platform",
      previousNames: ["ops"],
      members: [aMember("alice@example.com")],
    });
    const scope = aScope({ groupNames: ["platform", "ops"] });

    it("renames the group found under a previous name with one updateGroup", () => {
      const alice = aDesiredUser();
      const actual = anIdentityCenterState({
        users: [icUserFrom(alice)],
        groups: [anIcGroup({ displayName: "ops", members: ["alice@example.com"] })],
      });
      const plan = computePlan(aDesiredState({ users: [alice], groups: [platform] }), actual, scope);
      expect(plan.changes).toEqual([
        {
          kind: "updateGroup",
          key: "group:platform",
          reason: "renamed in the rules from ops",
          currentDisplayName: "ops",
          displayName: "platform",
          fields: [{ field: "displayName", from: "ops", to: "platform" }],
        },
      ]);
    });

    it("carries memberships and assignments over to the new name", () => {
      const alice = aDesiredUser();
      const desired = aDesiredState({
        users: [alice],
        groups: [platform],
        permissionSets: [aDesiredPermissionSet()],
        assignments: [aDesiredAssignment({ principalName: "platform" })],
      });
      const actual = anIdentityCenterState({
        users: [icUserFrom(alice)],
        groups: [anIcGroup({ displayName: "ops", members: ["alice@example.com", "bob@example.com"] })],
        permissionSets: [anIcPermissionSet()],
        assignments: [
          anAssignment({ principalName: "ops" }),
          anAssignment({ principalName: "ops", accountId: "222222222222" }),
        ],
      });
      expect(keys(computePlan(desired, actual, scope))).toEqual([
        "updateGroup group:platform",
        "deleteAssignment assignment:GROUP:platform:Developer:222222222222",
        "removeMember member:platform:bob@example.com",
      ]);
    });

    it("creates the group when neither name exists", () => {
      const plan = computePlan(
        aDesiredState({ groups: [{ ...platform, members: [] }] }),
        anIdentityCenterState(),
        scope,
      );
      expect(keys(plan)).toEqual(["createGroup group:platform"]);
    });
  });
});
