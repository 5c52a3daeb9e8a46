import { describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../../src/adapters/file/strict-in-memory-identity-center.js";
import { applyPlan, dependenciesOf } from "../../../src/sync/apply.js";
import type { Change, ChangeOutcome, DesiredState, IdentityCenterState } from "../../../src/sync/model.js";
import { changeKindOrder } from "../../../src/sync/model.js";
import { computePlan } from "../../../src/sync/plan.js";
import type { IdentityCenter } from "../../../src/sync/ports.js";
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
} from "../../builders/model.js";

const scope = aScope();

/** A new team: permission set, group, two users, memberships and an assignment, plus one leaver. */
function aNewTeam(): { desired: DesiredState; actual: IdentityCenterState } {
  const desired = aDesiredState({
    users: [aDesiredUser({ userName: "alice@example.com" }), aDesiredUser({ userName: "bob@example.com" })],
    groups: [aDesiredGroup({ members: [aMember("alice@example.com"), aMember("bob@example.com")] })],
    permissionSets: [aDesiredPermissionSet()],
    assignments: [aDesiredAssignment()],
    absentReasons: { "carol@example.com": "suspended in Google" },
  });
  const actual = anIdentityCenterState({
    users: [anIcUser({ userName: "carol@example.com" })],
    groups: [anIcGroup({ displayName: "legacy", members: ["carol@example.com"] })],
    assignments: [
      anAssignment({ principalType: "USER", principalName: "carol@example.com", permissionSetName: "Old" }),
    ],
  });
  return { desired, actual };
}

const statusOf = (outcomes: ChangeOutcome[]) => Object.fromEntries(outcomes.map((o) => [o.key, o.status]));

describe("applyPlan", () => {
  it("applies every change and reaches the desired state", async () => {
    const { desired, actual } = aNewTeam();
    const ic = new StrictInMemoryIdentityCenter(actual);
    const plan = computePlan(desired, actual, scope);
    const report = await applyPlan(plan, ic);
    expect(report).toMatchObject({ applied: plan.changes.length, failed: 0, skipped: 0, notStarted: 0 });
    expect(report.outcomes.map((o) => o.key)).toEqual(plan.changes.map((c) => c.key));
    expect(computePlan(desired, await ic.readState(scope), scope).changes).toEqual([]);
  });

  it("runs phases in apply order: never a change before one of an earlier kind", async () => {
    const { desired, actual } = aNewTeam();
    const ic = new StrictInMemoryIdentityCenter(actual);
    await applyPlan(computePlan(desired, actual, scope), ic, { concurrency: 3 });
    const ranks = ic.appliedChanges().map((c) => changeKindOrder.indexOf(c.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it("runs at most `concurrency` changes at once inside a phase", async () => {
    let inFlight = 0;
    let most = 0;
    const slow: IdentityCenter = {
      readState: async () => anIdentityCenterState(),
      applyChange: async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight -= 1;
      },
    };
    const changes: Change[] = Array.from({ length: 10 }, (_, i) => ({
      kind: "createGroup",
      key: `group:g${i}`,
      reason: "r",
      displayName: `g${i}`,
    }));
    const report = await applyPlan({ changes }, slow, { concurrency: 3 });
    expect(report.applied).toBe(10);
    expect(most).toBe(3);
  });

  it("skips what depends on a failed change and goes on with the rest", async () => {
    const { desired, actual } = aNewTeam();
    const ic = new StrictInMemoryIdentityCenter(actual).failChanges(
      (c) => c.key === "user:alice@example.com" && "ValidationException: bad name",
    );
    const report = await applyPlan(computePlan(desired, actual, scope), ic);
    const status = statusOf(report.outcomes);
    expect(status["user:alice@example.com"]).toBe("failed");
    expect(status["member:developers:alice@example.com"]).toBe("skipped");
    expect(status["member:developers:bob@example.com"]).toBe("applied");
    expect(status["assignment:GROUP:developers:Developer:111111111111"]).toBe("applied");
    expect(status["user:carol@example.com"]).toBe("applied");
    expect(report.outcomes.find((o) => o.key === "member:developers:alice@example.com")?.blockedBy).toEqual([
      "user:alice@example.com",
    ]);
    expect(report.outcomes.find((o) => o.status === "failed")?.error).toContain(
      "ValidationException: bad name",
    );
    expect(report).toMatchObject({ failed: 1, skipped: 1 });
  });

  it("skips a group's members and assignments when the group could not be created", async () => {
    const { desired, actual } = aNewTeam();
    const ic = new StrictInMemoryIdentityCenter(actual).failChanges((c) => c.kind === "createGroup");
    const report = await applyPlan(computePlan(desired, actual, scope), ic);
    const skipped = report.outcomes.filter((o) => o.status === "skipped").map((o) => o.key);
    expect(skipped).toEqual([
      "member:developers:alice@example.com",
      "member:developers:bob@example.com",
      "assignment:GROUP:developers:Developer:111111111111",
    ]);
  });

  it("does not delete a leaver whose access could not be removed first", async () => {
    const { desired, actual } = aNewTeam();
    const ic = new StrictInMemoryIdentityCenter(actual).failChanges((c) => c.kind === "deleteAssignment");
    const report = await applyPlan(computePlan(desired, actual, scope), ic);
    expect(report.outcomes.find((o) => o.key === "user:carol@example.com")).toEqual({
      key: "user:carol@example.com",
      kind: "deleteUser",
      status: "skipped",
      blockedBy: ["assignment:USER:carol@example.com:Old:111111111111"],
    });
    expect(ic.snapshot().users.map((u) => u.userName)).toContain("carol@example.com");
  });

  it("does not provision a permission set whose update failed", async () => {
    const actual = anIdentityCenterState({
      permissionSets: [anIcPermissionSet({ provisionedAccountIds: ["111111111111"] })],
    });
    const desired = aDesiredState({ permissionSets: [aDesiredPermissionSet({ sessionDuration: "PT1H" })] });
    const ic = new StrictInMemoryIdentityCenter(actual).failChanges((c) => c.kind === "updatePermissionSet");
    const report = await applyPlan(computePlan(desired, actual, scope), ic);
    expect(report.outcomes.map((o) => `${o.kind} ${o.status}`)).toEqual([
      "updatePermissionSet failed",
      "provisionPermissionSet skipped",
    ]);
  });

  it("starts nothing new once shouldContinue says stop, and marks the rest notStarted", async () => {
    const { desired, actual } = aNewTeam();
    const plan = computePlan(desired, actual, scope);
    const ic = new StrictInMemoryIdentityCenter(actual);
    let budget = 2;
    const report = await applyPlan(plan, ic, { concurrency: 1, shouldContinue: () => budget-- > 0 });
    expect(report.applied).toBe(2);
    expect(report.notStarted).toBe(plan.changes.length - 2);
    expect(report.outcomes.slice(2).every((o) => o.status === "notStarted")).toBe(true);
    expect(ic.appliedChanges()).toHaveLength(2);
  });

  it("tells the caller each outcome as it becomes known", async () => {
    const { desired, actual } = aNewTeam();
    const plan = computePlan(desired, actual, scope);
    const seen: string[] = [];
    await applyPlan(plan, new StrictInMemoryIdentityCenter(actual), {
      onOutcome: (o, c) => seen.push(`${o.key}=${c.key}`),
    });
    expect(seen).toHaveLength(plan.changes.length);
    expect(seen.every((entry) => entry.split("=")[0] === entry.split("=")[1])).toBe(true);
  });

  it("records a thrown non-Error as a failure instead of throwing", async () => {
    const broken: IdentityCenter = {
      readState: async () => anIdentityCenterState(),
      applyChange: async () => {
        throw "socket hang up";
      },
    };
    const report = await applyPlan(
      { changes: [{ kind: "createGroup", key: "group:g", reason: "r", displayName: "g" }] },
      broken,
    );
    expect(report.outcomes).toEqual([
      { key: "group:g", kind: "createGroup", status: "failed", error: "socket hang up" },
    ]);
  });

  it("knows what each change waits for: creations and renames of what it names, and a leaver's access", () => {
    const alice = aDesiredUser({ userName: "alice.l@example.com", previousUserNames: ["alice@example.com"] });
    const desired = aDesiredState({
      users: [alice, aDesiredUser({ userName: "bob@example.com" })],
      groups: [
        aDesiredGroup({
          displayName: "platform",
          previousNames: ["ops"],
          members: [aMember("bob@example.com")],
        }),
      ],
      permissionSets: [aDesiredPermissionSet()],
      assignments: [
        aDesiredAssignment({ principalType: "USER", principalName: "bob@example.com" }),
        aDesiredAssignment({ principalType: "USER", principalName: "alice.l@example.com" }),
      ],
    });
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "alice@example.com" }), anIcUser({ userName: "carol@example.com" })],
      groups: [anIcGroup({ displayName: "ops", members: ["alice@example.com", "carol@example.com"] })],
      assignments: [anAssignment({ principalName: "ops" })],
    });
    const plan = computePlan(desired, actual, aScope({ groupNames: ["platform", "ops"] }));
    expect(Object.fromEntries(dependenciesOf(plan.changes))).toEqual({
      "member:platform:bob@example.com": ["user:bob@example.com", "group:platform"],
      "member:platform:alice.l@example.com": ["user:alice.l@example.com", "group:platform"],
      "member:platform:carol@example.com": ["group:platform"],
      "assignment:USER:bob@example.com:Developer:111111111111": [
        "permissionSet:Developer",
        "user:bob@example.com",
      ],
      "assignment:USER:alice.l@example.com:Developer:111111111111": [
        "permissionSet:Developer",
        "user:alice.l@example.com",
      ],
      "assignment:GROUP:platform:Developer:111111111111": ["group:platform"],
      "user:carol@example.com": ["member:platform:carol@example.com"],
    });
  });

  describe("removing a group and a permission set that left the rules", () => {
    const owned = {
      groups: { old: { rule: "groups[1]", origin: "created" as const } },
      permissionSets: { Old: { rule: "permissionSets[1]", origin: "created" as const } },
      users: {},
    };
    const actual = anIdentityCenterState({
      users: [anIcUser({ userName: "alice@example.com" })],
      groups: [anIcGroup({ displayName: "old", members: ["alice@example.com"] })],
      permissionSets: [anIcPermissionSet({ name: "Old" })],
      assignments: [anAssignment({ principalName: "old", permissionSetName: "Old" })],
    });
    const desired = aDesiredState({ users: [aDesiredUser({ userName: "alice@example.com" })] });
    const rules = aScope({ groupNames: [], permissionSetNames: [] });

    it("takes away the memberships and assignments first, then the group and the permission set", async () => {
      const ic = new StrictInMemoryIdentityCenter(actual);
      const plan = computePlan(desired, actual, rules, owned);

      const report = await applyPlan(plan, ic, { concurrency: 4 });

      expect(report).toMatchObject({ applied: 4, failed: 0 });
      expect(ic.appliedChanges().map((c) => c.kind)).toEqual([
        "deleteAssignment",
        "removeMember",
        "deleteGroup",
        "deletePermissionSet",
      ]);
      expect(ic.snapshot()).toMatchObject({ groups: [], permissionSets: [], assignments: [] });
    });

    it("keeps the group and the permission set when taking an assignment away failed", async () => {
      const ic = new StrictInMemoryIdentityCenter(actual).failChanges((c) => c.kind === "deleteAssignment");

      const report = await applyPlan(computePlan(desired, actual, rules, owned), ic);

      const blockedBy = ["assignment:GROUP:old:Old:111111111111"];
      expect(report.outcomes.filter((o) => o.status === "skipped")).toEqual([
        { key: "group:old", kind: "deleteGroup", status: "skipped", blockedBy },
        { key: "permissionSet:Old", kind: "deletePermissionSet", status: "skipped", blockedBy },
      ]);
      expect(ic.snapshot().groups.map((g) => g.displayName)).toEqual(["old"]);
    });

    it("knows a group waits for its memberships and assignments, a permission set for its assignments", () => {
      const deps = dependenciesOf(computePlan(desired, actual, rules, owned).changes);

      expect(deps.get("group:old")).toEqual([
        "assignment:GROUP:old:Old:111111111111",
        "member:old:alice@example.com",
      ]);
      expect(deps.get("permissionSet:Old")).toEqual(["assignment:GROUP:old:Old:111111111111"]);
    });
  });

  it("renames a person before creating the newcomer who takes over their old address", async () => {
    const actual = anIdentityCenterState({
      users: [anIcUser({ id: "u-carol", userName: "carol@example.com" })],
    });
    const desired = aDesiredState({
      users: [
        aDesiredUser({ userName: "carol.chiba@example.com", googleId: "g-carol" }),
        aDesiredUser({ userName: "carol@example.com", googleId: "g-newcomer" }),
      ],
    });
    const plan = computePlan(desired, actual, scope, {
      groups: {},
      permissionSets: {},
      users: { "g-carol": { userId: "u-carol", userName: "carol@example.com" } },
    });
    const ic = new StrictInMemoryIdentityCenter(actual);

    const report = await applyPlan(plan, ic);

    expect(report).toMatchObject({ applied: 2, failed: 0 });
    expect(ic.appliedChanges().map((c) => `${c.kind} ${c.key}`)).toEqual([
      "updateUser user:carol.chiba@example.com",
      "createUser user:carol@example.com",
    ]);
    expect(dependenciesOf(plan.changes).get("user:carol@example.com")).toEqual([
      "user:carol.chiba@example.com",
    ]);
    expect(ic.snapshot().users.find((u) => u.userName === "carol.chiba@example.com")?.id).toBe("u-carol");
  });

  it("renames a person to an address another rename frees only after that rename", async () => {
    // Two people renamed at once in Google: x → y and y → z, found by their Google ids.
    const actual = anIdentityCenterState({
      users: [
        anIcUser({ id: "u-1", userName: "x@example.com" }),
        anIcUser({ id: "u-2", userName: "y@example.com" }),
      ],
    });
    const desired = aDesiredState({
      users: [
        aDesiredUser({ userName: "y@example.com", googleId: "g-1" }),
        aDesiredUser({ userName: "z@example.com", googleId: "g-2" }),
      ],
    });
    const plan = computePlan(desired, actual, scope, {
      groups: {},
      permissionSets: {},
      users: {
        "g-1": { userId: "u-1", userName: "x@example.com" },
        "g-2": { userId: "u-2", userName: "y@example.com" },
      },
    });
    const ic = new StrictInMemoryIdentityCenter(actual);

    const report = await applyPlan(plan, ic, { concurrency: 4 });

    expect(report).toMatchObject({ applied: 2, failed: 0 });
    expect(
      ic.appliedChanges().map((c) => c.kind === "updateUser" && `${c.userName} → ${c.user.userName}`),
    ).toEqual(["y@example.com → z@example.com", "x@example.com → y@example.com"]);
    expect(ic.snapshot().users.map((u) => [u.id, u.userName])).toEqual([
      ["u-1", "y@example.com"],
      ["u-2", "z@example.com"],
    ]);
  });
});
