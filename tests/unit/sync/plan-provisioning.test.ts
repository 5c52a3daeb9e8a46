import { describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../../src/adapters/file/strict-in-memory-identity-center.js";
import { applyPlan } from "../../../src/sync/apply.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  aDesiredPermissionSet,
  aDesiredState,
  anIcPermissionSet,
  anIdentityCenterState,
  aScope,
} from "../../builders/model.js";

describe("computePlan for provisioning", () => {
  it("provisions again the accounts an earlier provisioning did not reach, with nothing else to change", () => {
    const plan = computePlan(
      aDesiredState({ permissionSets: [aDesiredPermissionSet()] }),
      anIdentityCenterState({
        permissionSets: [
          anIcPermissionSet({
            provisionedAccountIds: ["111111111111", "222222222222", "333333333333"],
            outdatedAccountIds: ["333333333333", "111111111111"],
          }),
        ],
      }),
      aScope(),
    );

    expect(plan.changes).toEqual([
      {
        kind: "provisionPermissionSet",
        key: "provision:Developer",
        reason:
          "the latest version has not reached 2 accounts using it (a provisioning failed or was cut short)",
        permissionSetName: "Developer",
        accountIds: ["111111111111", "333333333333"],
      },
    ]);
  });

  it("after an update provisions every account using the permission set once, the outdated ones included", () => {
    const plan = computePlan(
      aDesiredState({ permissionSets: [aDesiredPermissionSet({ sessionDuration: "PT2H" })] }),
      anIdentityCenterState({
        permissionSets: [
          anIcPermissionSet({
            provisionedAccountIds: ["111111111111", "222222222222"],
            outdatedAccountIds: ["222222222222"],
          }),
        ],
      }),
      aScope(),
    );

    expect(plan.changes.map((change) => change.kind)).toEqual([
      "updatePermissionSet",
      "provisionPermissionSet",
    ]);
    expect(plan.changes[1]).toMatchObject({ accountIds: ["111111111111", "222222222222"] });
  });

  it("leaves the outdated accounts of a permission set the rules do not define alone", () => {
    const plan = computePlan(
      aDesiredState(),
      anIdentityCenterState({
        permissionSets: [
          anIcPermissionSet({
            name: "Legacy",
            provisionedAccountIds: ["111111111111"],
            outdatedAccountIds: ["111111111111"],
          }),
        ],
      }),
      aScope(),
    );

    expect(plan.changes).toEqual([]);
  });

  it("converges on the file target: an update leaves the accounts outdated until the provisioning in the same plan", async () => {
    const identityCenter = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        permissionSets: [anIcPermissionSet({ provisionedAccountIds: ["111111111111"] })],
      }),
    );
    const desired = aDesiredState({ permissionSets: [aDesiredPermissionSet({ sessionDuration: "PT2H" })] });
    const plan = computePlan(desired, identityCenter.snapshot(), aScope());
    const update = plan.changes.filter((change) => change.kind === "updatePermissionSet");

    await applyPlan({ changes: update }, identityCenter);
    expect(identityCenter.snapshot().permissionSets[0]?.outdatedAccountIds).toEqual(["111111111111"]);
    await applyPlan(computePlan(desired, identityCenter.snapshot(), aScope()), identityCenter);

    expect(identityCenter.snapshot().permissionSets[0]?.outdatedAccountIds).toBeUndefined();
    expect(computePlan(desired, identityCenter.snapshot(), aScope()).changes).toEqual([]);
  });
});
