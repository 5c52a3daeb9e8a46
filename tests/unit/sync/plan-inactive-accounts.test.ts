import { describe, expect, it } from "vitest";
import { evaluate } from "../../../src/mapping/index.js";
import { dependenciesOf } from "../../../src/sync/apply.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  aDesiredAssignment,
  aDesiredPermissionSet,
  aDesiredState,
  anAssignment,
  anIcPermissionSet,
  anIcUser,
  anIdentityCenterState,
  anOwnership,
  aScope,
} from "../../builders/model.js";
import { aDirectory, aDirectoryUser, anAccount, someRules } from "../../builders/rules.js";

const suspended = { "444444444444": { name: "old", status: "SUSPENDED" as const } };
const leaver = anIcUser({ userName: "alice@example.com" });
const inOld = anAssignment({
  principalType: "USER",
  principalName: leaver.userName,
  accountId: "444444444444",
});
const inDev = anAssignment({
  principalType: "USER",
  principalName: leaver.userName,
  accountId: "111111111111",
});

describe("computePlan with accounts that are not ACTIVE", () => {
  it("removes a leaver's access in active accounts and the user, leaving the suspended account's assignment alone", () => {
    const plan = computePlan(
      aDesiredState({
        inactiveAccounts: suspended,
        absentReasons: { [leaver.userName]: "suspended in Google" },
      }),
      anIdentityCenterState({
        users: [leaver],
        permissionSets: [anIcPermissionSet()],
        assignments: [inOld, inDev],
      }),
      aScope(),
    );

    expect(plan.changes.map((change) => change.key)).toEqual([
      "assignment:USER:alice@example.com:Developer:111111111111",
      "user:alice@example.com",
    ]);
    // Nothing in the suspended account for the user's deletion to wait on.
    expect(dependenciesOf(plan.changes).get("user:alice@example.com")).toEqual([
      "assignment:USER:alice@example.com:Developer:111111111111",
    ]);
    expect(plan.notes).toContainEqual({
      kind: "inactiveAccount",
      name: "old (444444444444)",
      detail: expect.stringContaining("leaves alone 1 assignment of managed principals"),
    });
  });

  it("creates no assignment and provisions nothing in a suspended account", () => {
    const plan = computePlan(
      aDesiredState({
        inactiveAccounts: suspended,
        permissionSets: [aDesiredPermissionSet()],
        assignments: [aDesiredAssignment({ accountId: "444444444444" })],
      }),
      anIdentityCenterState({
        permissionSets: [
          anIcPermissionSet({
            provisionedAccountIds: ["111111111111", "444444444444"],
            outdatedAccountIds: ["111111111111", "444444444444"],
          }),
        ],
      }),
      aScope(),
    );

    expect(plan.changes).toEqual([
      expect.objectContaining({ kind: "provisionPermissionSet", accountIds: ["111111111111"] }),
    ]);
    expect(plan.notes).toContainEqual(
      expect.objectContaining({
        kind: "inactiveAccount",
        detail: expect.stringContaining("the provisioning of Developer"),
      }),
    );
  });

  it("keeps a permission set that left the rules while it is still assigned in a suspended account", () => {
    const plan = computePlan(
      aDesiredState({ inactiveAccounts: suspended }),
      anIdentityCenterState({
        groups: [{ id: "g1", displayName: "developers", members: [] }],
        permissionSets: [anIcPermissionSet({ name: "Legacy", managedByTag: true })],
        assignments: [anAssignment({ permissionSetName: "Legacy", accountId: "444444444444" })],
      }),
      aScope({ permissionSetNames: [] }),
      anOwnership({ permissionSets: { Legacy: { rule: "permissionSets[1]", origin: "created" } } }),
    );

    expect(plan.changes).toEqual([]);
    expect(plan.notes).toContainEqual({
      kind: "keptInUse",
      name: "Legacy",
      detail: expect.stringContaining(
        "still assigned in old (444444444444), where AWS cannot remove assignments",
      ),
    });
  });
});

describe("evaluate", () => {
  it("names the accounts that are not ACTIVE for the plan", () => {
    const result = evaluate(aDirectory({ users: [aDirectoryUser()] }), someRules(), [
      anAccount(),
      anAccount({ id: "444444444444", name: "old", status: "SUSPENDED" }),
      anAccount({ id: "555555555555", name: "closing", status: "PENDING_CLOSURE" }),
    ]);

    expect(result.ok && result.desired.inactiveAccounts).toEqual({
      "444444444444": { name: "old", status: "SUSPENDED" },
      "555555555555": { name: "closing", status: "PENDING_CLOSURE" },
    });
  });
});
