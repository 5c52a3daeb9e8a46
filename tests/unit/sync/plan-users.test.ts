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

describe("computePlan for users", () => {
  it("creates a desired user that Identity Center does not have, with the user's reason", () => {
    const alice = aDesiredUser({
      userName: "alice@example.com",
      title: "Engineer",
      reason: "member of developers",
    });
    const plan = computePlan(aDesiredState({ users: [alice] }), anIdentityCenterState(), aScope());
    expect(plan.changes).toEqual([
      {
        kind: "createUser",
        key: "user:alice@example.com",
        reason: "member of developers",
        user: {
          userName: "alice@example.com",
          displayName: "Alice Example",
          givenName: "Alice",
          familyName: "Example",
          email: "alice@example.com",
          title: "Engineer",
        },
      },
    ]);
  });

  it("plans nothing when the user already matches, even if Identity Center spells the userName in mixed case", () => {
    const alice = aDesiredUser();
    const actual = anIdentityCenterState({
      users: [{ ...icUserFrom(alice), userName: "Alice@Example.com" }],
    });
    expect(computePlan(aDesiredState({ users: [alice] }), actual, aScope()).changes).toEqual([]);
  });

  it("updates only the attributes that differ and lists them as fields", () => {
    const alice = aDesiredUser({ displayName: "Alice Liddell", title: "Principal Engineer" });
    const actual = anIdentityCenterState({
      users: [{ ...icUserFrom(alice), displayName: "Alice Example", title: "Engineer" }],
    });
    const plan = computePlan(aDesiredState({ users: [alice] }), actual, aScope());
    expect(plan.changes).toHaveLength(1);
    const change = plan.changes[0]!;
    expect(change.kind).toBe("updateUser");
    if (change.kind !== "updateUser") return;
    expect(change.userName).toBe("alice@example.com");
    expect(change.fields).toEqual([
      { field: "displayName", from: "Alice Example", to: "Alice Liddell" },
      { field: "title", from: "Engineer", to: "Principal Engineer" },
    ]);
    expect(change.user.displayName).toBe("Alice Liddell");
  });

  it("leaves the title alone when the rules do not set one, and keeps it in the updated attributes", () => {
    const alice = aDesiredUser({ title: undefined, givenName: "Alicia" });
    const actual = anIdentityCenterState({
      users: [{ ...icUserFrom(alice), givenName: "Alice", title: "Engineer" }],
    });
    const plan = computePlan(aDesiredState({ users: [alice] }), actual, aScope());
    const change = plan.changes[0]!;
    if (change.kind !== "updateUser") throw new Error(`expected updateUser, got ${change.kind}`);
    expect(change.fields.map((f) => f.field)).toEqual(["givenName"]);
    expect(change.user.title).toBe("Engineer");
  });

  it("compares enterprise attributes as a whole only when the rules set them", () => {
    const withEnterprise = aDesiredUser({ enterprise: { department: "Support", costCenter: "42" } });
    const actual = anIdentityCenterState({
      users: [{ ...icUserFrom(withEnterprise), enterprise: { department: "Support" } }],
    });
    const plan = computePlan(aDesiredState({ users: [withEnterprise] }), actual, aScope());
    expect(plan.changes.map((c) => (c.kind === "updateUser" ? c.fields.map((f) => f.field) : []))).toEqual([
      ["enterprise"],
    ]);

    const without = aDesiredUser({ enterprise: undefined });
    const unmanaged = anIdentityCenterState({
      users: [{ ...icUserFrom(without), enterprise: { department: "X" } }],
    });
    expect(computePlan(aDesiredState({ users: [without] }), unmanaged, aScope()).changes).toEqual([]);
  });

  it("deletes a managed user the rules no longer want, with the directory's reason", () => {
    const actual = anIdentityCenterState({ users: [anIcUser({ userName: "carol@example.com" })] });
    const desired = aDesiredState({ absentReasons: { "carol@example.com": "suspended in Google" } });
    const plan = computePlan(desired, actual, aScope());
    expect(plan.changes).toEqual([
      {
        kind: "deleteUser",
        key: "user:carol@example.com",
        reason: "suspended in Google",
        userName: "carol@example.com",
      },
    ]);
  });

  it("says 'not in Google' when the directory says nothing about a leaver", () => {
    const actual = anIdentityCenterState({ users: [anIcUser({ userName: "dave@example.com" })] });
    const plan = computePlan(aDesiredState(), actual, aScope());
    expect(plan.changes.map((c) => c.reason)).toEqual(["not in Google"]);
  });

  it("removes a leaver's memberships and assignments before deleting the user", () => {
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "carol@example.com" })],
      groups: [anIcGroup({ displayName: "developers", members: ["carol@example.com"] })],
      permissionSets: [anIcPermissionSet()],
      assignments: [anAssignment({ principalType: "USER", principalName: "carol@example.com" })],
    });
    const desired = aDesiredState({
      groups: [aDesiredGroup()],
      permissionSets: [aDesiredPermissionSet()],
      absentReasons: { "carol@example.com": "suspended in Google" },
    });
    const plan = computePlan(desired, actual, aScope());
    expect(keys(plan)).toEqual([
      "deleteAssignment assignment:USER:carol@example.com:Developer:111111111111",
      "removeMember member:developers:carol@example.com",
      "deleteUser user:carol@example.com",
    ]);
    expect(new Set(plan.changes.map((c) => c.reason))).toEqual(new Set(["suspended in Google"]));
  });

  it("with leavers: strip, keeps the user but removes its memberships and assignments", () => {
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "carol@example.com" })],
      groups: [anIcGroup({ displayName: "developers", members: ["carol@example.com"] })],
      assignments: [anAssignment({ principalType: "USER", principalName: "carol@example.com" })],
    });
    const plan = computePlan(
      aDesiredState({ groups: [aDesiredGroup()] }),
      actual,
      aScope({ leavers: "strip" }),
    );
    expect(keys(plan)).toEqual([
      "deleteAssignment assignment:USER:carol@example.com:Developer:111111111111",
      "removeMember member:developers:carol@example.com",
    ]);
  });

  describe("renames", () => {
    const renamedAlice = aDesiredUser({
      userName: "alice.liddell@example.com",
      displayName: "Alice Example",
      givenName: "Alice",
      familyName: "Example",
      email: "alice.liddell@example.com",
      previousUserNames: ["alice@example.com"],
    });
    const oldAlice = anIcUser({
      userName: "alice@example.com",
      displayName: "Alice Example",
      givenName: "Alice",
      familyName: "Example",
      email: "alice@example.com",
    });

    it("renames a managed user found under an alias, in one update, never a delete and a create", () => {
      const plan = computePlan(
        aDesiredState({ users: [renamedAlice] }),
        anIdentityCenterState({ users: [oldAlice] }),
        aScope(),
      );
      expect(plan.changes).toHaveLength(1);
      const change = plan.changes[0]!;
      if (change.kind !== "updateUser") throw new Error(`expected updateUser, got ${change.kind}`);
      expect(change.key).toBe("user:alice.liddell@example.com");
      expect(change.userName).toBe("alice@example.com");
      expect(change.user.userName).toBe("alice.liddell@example.com");
      expect(change.fields).toEqual([
        { field: "userName", from: "alice@example.com", to: "alice.liddell@example.com" },
        { field: "email", from: "alice@example.com", to: "alice.liddell@example.com" },
      ]);
    });

    it("counts the old name's memberships and assignments as the new name's: no churn", () => {
      const desired = aDesiredState({
        users: [renamedAlice],
        groups: [aDesiredGroup({ members: [aMember("alice.liddell@example.com")] })],
        permissionSets: [aDesiredPermissionSet()],
        assignments: [
          aDesiredAssignment({ principalType: "USER", principalName: "alice.liddell@example.com" }),
        ],
      });
      const actual = anIdentityCenterState({
        users: [oldAlice],
        groups: [anIcGroup({ members: ["alice@example.com"] })],
        permissionSets: [anIcPermissionSet({ provisionedAccountIds: ["111111111111"] })],
        assignments: [anAssignment({ principalType: "USER", principalName: "alice@example.com" })],
      });
      expect(keys(computePlan(desired, actual, aScope()))).toEqual([
        "updateUser user:alice.liddell@example.com",
      ]);
    });

    it("does not rename when a user with the new name already exists", () => {
      const actual = anIdentityCenterState({
        users: [oldAlice, icUserFrom(renamedAlice)],
      });
      const plan = computePlan(aDesiredState({ users: [renamedAlice] }), actual, aScope());
      expect(keys(plan)).toEqual(["deleteUser user:alice@example.com"]);
    });

    it("does not rename a user outside scope: the new user is created", () => {
      const outsider = anIcUser({ userName: "alice@old-company.org" });
      const desired = aDesiredState({
        users: [{ ...renamedAlice, previousUserNames: ["alice@old-company.org"] }],
      });
      const plan = computePlan(desired, anIdentityCenterState({ users: [outsider] }), aScope());
      expect(keys(plan)).toEqual(["createUser user:alice.liddell@example.com"]);
    });
  });

  describe("a manager's reference", () => {
    const report = (manager?: string) =>
      aDesiredUser({
        userName: "hiroshi@example.com",
        enterprise: { department: "Sales", ...(manager === undefined ? {} : { manager }) },
      });

    it("says the manager gets a user, not that the directory changed, when the manager joins in this plan", () => {
      const plan = computePlan(
        aDesiredState({
          users: [report("yuki@example.com"), aDesiredUser({ userName: "yuki@example.com" })],
        }),
        anIdentityCenterState({ users: [icUserFrom(report())] }),
        aScope(),
      );
      expect(plan.changes.map((change) => `${change.kind} ${change.key} # ${change.reason}`)).toEqual([
        "createUser user:yuki@example.com # member of developers (orgUnit /Engineering)",
        "updateUser user:hiroshi@example.com # manager yuki@example.com gets an Identity Center user in this plan",
      ]);
    });

    it("says the manager is no longer provisioned when the reference goes because the manager does", () => {
      const plan = computePlan(
        aDesiredState({ users: [report()] }),
        anIdentityCenterState({
          users: [icUserFrom(report("yuki@example.com")), anIcUser({ userName: "yuki@example.com" })],
        }),
        aScope(),
      );
      expect(plan.changes.find((change) => change.kind === "updateUser")?.reason).toBe(
        "manager yuki@example.com is no longer provisioned by the rules",
      );
    });

    it("is still a change in the directory when the person's manager changed to someone who had a user", () => {
      const plan = computePlan(
        aDesiredState({
          users: [report("kenji@example.com"), aDesiredUser({ userName: "kenji@example.com" })],
        }),
        anIdentityCenterState({
          users: [icUserFrom(report()), icUserFrom(aDesiredUser({ userName: "kenji@example.com" }))],
        }),
        aScope(),
      );
      expect(plan.changes.map((change) => change.reason)).toEqual(["changed in the directory: enterprise"]);
    });

    it("does not change the people who report to a manager renamed in this plan: the user id stays", () => {
      const renamed = aDesiredUser({
        userName: "yuki.tanaka@example.com",
        displayName: "Yuki Abe",
        givenName: "Yuki",
        familyName: "Abe",
        previousUserNames: ["yuki.abe@example.com"],
      });
      const plan = computePlan(
        aDesiredState({ users: [report("yuki.tanaka@example.com"), renamed] }),
        anIdentityCenterState({
          users: [icUserFrom(report("yuki.abe@example.com")), anIcUser({ userName: "yuki.abe@example.com" })],
        }),
        aScope(),
      );
      expect(keys(plan)).toEqual(["updateUser user:yuki.tanaka@example.com"]);
    });
  });
});
