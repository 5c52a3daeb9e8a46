import { describe, expect, it } from "vitest";
import type { Plan } from "../../../src/sync/model.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  aDesiredAssignment,
  aDesiredGroup,
  aDesiredPermissionSet,
  aDesiredState,
  aDesiredUser,
  anAssignment,
  anIcGroup,
  anIcPermissionSet,
  anIdentityCenterState,
  aScope,
  icUserFrom,
} from "../../builders/model.js";

const keys = (plan: Plan) => plan.changes.map((c) => `${c.kind} ${c.key}`);

describe("computePlan for account assignments", () => {
  const inSync = anIdentityCenterState({ groups: [anIcGroup()], permissionSets: [anIcPermissionSet()] });

  it("creates an assignment a rule grants, with the rule as reason", () => {
    const desired = aDesiredState({
      groups: [aDesiredGroup()],
      permissionSets: [aDesiredPermissionSet()],
      assignments: [aDesiredAssignment({ reason: "assignments[0]: developers × Developer × dev" })],
    });
    expect(computePlan(desired, inSync, aScope()).changes).toEqual([
      {
        kind: "createAssignment",
        key: "assignment:GROUP:developers:Developer:111111111111",
        reason: "assignments[0]: developers × Developer × dev",
        assignment: anAssignment(),
      },
    ]);
  });

  it("plans one assignment when several rules grant the same thing", () => {
    const desired = aDesiredState({
      groups: [aDesiredGroup()],
      permissionSets: [aDesiredPermissionSet()],
      assignments: [
        aDesiredAssignment({ reason: "assignments[1]" }),
        aDesiredAssignment({ reason: "assignments[0]" }),
      ],
    });
    const plan = computePlan(desired, inSync, aScope());
    expect(plan.changes.map((c) => c.reason)).toEqual(["assignments[0]"]);
  });

  it("deletes an assignment of a managed principal that no rule grants", () => {
    const actual = { ...inSync, assignments: [anAssignment({ accountId: "999999999999" })] };
    const desired = aDesiredState({ groups: [aDesiredGroup()], permissionSets: [aDesiredPermissionSet()] });
    const plan = computePlan(desired, actual, aScope());
    expect(plan.changes).toEqual([
      {
        kind: "deleteAssignment",
        key: "assignment:GROUP:developers:Developer:999999999999",
        reason: "not granted by any rule",
        assignment: anAssignment({ accountId: "999999999999" }),
      },
    ]);
  });

  it("leaves assignments of unmanaged and protected principals alone", () => {
    const actual = {
      ...inSync,
      assignments: [
        anAssignment({ principalName: "AWSControlTowerAdmins" }),
        anAssignment({ principalName: "hand-made" }),
        anAssignment({ principalType: "USER", principalName: "breakglass@example.com" }),
        anAssignment({ principalType: "USER", principalName: "contractor@elsewhere.org" }),
      ],
    };
    const scope = aScope({
      groupNames: ["developers", "AWSControlTowerAdmins"],
      protectedGroupNames: ["AWSControlTowerAdmins"],
      protectedUserNames: ["breakglass@example.com"],
    });
    const desired = aDesiredState({ groups: [aDesiredGroup()], permissionSets: [aDesiredPermissionSet()] });
    expect(computePlan(desired, actual, scope).changes).toEqual([]);
  });

  it("creates nothing for a protected principal, and says so", () => {
    const desired = aDesiredState({
      groups: [aDesiredGroup({ displayName: "AWSControlTowerAdmins" })],
      permissionSets: [aDesiredPermissionSet()],
      assignments: [aDesiredAssignment({ principalName: "AWSControlTowerAdmins" })],
    });
    const scope = aScope({
      groupNames: ["AWSControlTowerAdmins"],
      protectedGroupNames: ["AWSControlTowerAdmins"],
    });
    const plan = computePlan(
      desired,
      anIdentityCenterState({ permissionSets: [anIcPermissionSet()] }),
      scope,
    );
    expect(plan.changes).toEqual([]);
    expect(plan.notes.every((n) => n.kind === "protected" && n.name === "AWSControlTowerAdmins")).toBe(true);
    expect(plan.notes.length).toBeGreaterThan(0);
  });

  it("grants a user assignment to a user created in the same plan", () => {
    const alice = aDesiredUser();
    const desired = aDesiredState({
      users: [alice],
      permissionSets: [aDesiredPermissionSet()],
      assignments: [aDesiredAssignment({ principalType: "USER", principalName: alice.userName })],
    });
    expect(keys(computePlan(desired, anIdentityCenterState(), aScope()))).toEqual([
      "createPermissionSet permissionSet:Developer",
      "createUser user:alice@example.com",
      "createAssignment assignment:USER:alice@example.com:Developer:111111111111",
    ]);
  });

  it("matches user assignments case-insensitively", () => {
    const alice = aDesiredUser();
    const desired = aDesiredState({
      users: [alice],
      permissionSets: [aDesiredPermissionSet()],
      assignments: [aDesiredAssignment({ principalType: "USER", principalName: alice.userName })],
    });
    const actual = anIdentityCenterState({
      users: [icUserFrom(alice)],
      permissionSets: [anIcPermissionSet()],
      assignments: [anAssignment({ principalType: "USER", principalName: "ALICE@example.com" })],
    });
    expect(computePlan(desired, actual, aScope()).changes).toEqual([]);
  });
});
