/**
 * Reading assignments from the management account and from a delegated administrator (issue #12):
 * ListAccountAssignmentsForPrincipal "must be called from the management account", so the adapter
 * falls back to ListAccountAssignments per provisioned (permission set, account) when AWS refuses it.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { IdentityCenterState } from "../../../src/sync/model.js";
import {
  anIdentityCenter,
  aScope,
  aStoredPermissionSet,
  aUser,
  type Harness,
  startHarness,
} from "./harness.js";

const alice = aUser("alice");
const bob = aUser("bob");
const seed: IdentityCenterState = anIdentityCenter({
  users: [alice, bob],
  groups: [{ id: "g-developers", displayName: "developers", members: [alice.userName] }],
  permissionSets: [
    aStoredPermissionSet("Developer", { provisionedAccountIds: ["111111111111", "222222222222"] }),
    aStoredPermissionSet("Auditor", { provisionedAccountIds: ["333333333333"] }),
  ],
  assignments: [
    {
      principalType: "USER",
      principalName: alice.userName,
      permissionSetName: "Developer",
      accountId: "222222222222",
    },
    {
      principalType: "GROUP",
      principalName: "developers",
      permissionSetName: "Auditor",
      accountId: "333333333333",
    },
    {
      principalType: "USER",
      principalName: bob.userName,
      permissionSetName: "Developer",
      accountId: "111111111111",
    },
  ],
});
// Three managed principals (alice, bob, developers) against three provisioned pairs, plus one listing of the
// unmanaged Auditor's accounts: per principal is the cheaper way, where AWS allows it.
const scope = aScope({ groupNames: ["developers"], permissionSetNames: ["Developer"] });
const expected = [
  {
    principalType: "USER",
    principalName: alice.userName,
    permissionSetName: "Developer",
    accountId: "222222222222",
  },
  {
    principalType: "USER",
    principalName: bob.userName,
    permissionSetName: "Developer",
    accountId: "111111111111",
  },
  {
    principalType: "GROUP",
    principalName: "developers",
    permissionSetName: "Auditor",
    accountId: "333333333333",
  },
];
const delegatedAdministrator = "555555555555";
const keyOf = (a: IdentityCenterState["assignments"][number]) => `${a.principalName}|${a.accountId}`;
const sorted = (state: IdentityCenterState) =>
  [...state.assignments].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));

describe("reading assignments, by the account idc-sync runs in", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("asks per principal from the management account, the cheaper way", async () => {
    harness = await startHarness({ state: seed });

    const state = await harness.identityCenter.readState(scope);

    expect(sorted(state)).toEqual(expected);
    expect(harness.emulator.count("sso-admin", "ListAccountAssignmentsForPrincipal")).toBe(3);
    expect(harness.emulator.count("sso-admin", "ListAccountAssignments")).toBe(0);
  });

  it("reads per provisioned pair from a delegated administrator, after one refused call", async () => {
    harness = await startHarness({
      state: seed,
      identityCenterDelegatedAdministrator: delegatedAdministrator,
      organizationPolicies: { callers: { AKIDEXAMPLE: delegatedAdministrator } },
    });

    const state = await harness.identityCenter.readState(scope);

    expect(sorted(state)).toEqual(expected);
    // One probe, refused; then Developer × 111…, Developer × 222…, Auditor × 333….
    expect(harness.emulator.count("sso-admin", "ListAccountAssignmentsForPrincipal")).toBe(1);
    expect(harness.emulator.count("sso-admin", "ListAccountAssignments")).toBe(3);
  });

  it("does not ask again in later reads of the same run once AWS refused", async () => {
    harness = await startHarness({
      state: seed,
      identityCenterDelegatedAdministrator: delegatedAdministrator,
      organizationPolicies: { callers: { AKIDEXAMPLE: delegatedAdministrator } },
    });

    await harness.identityCenter.readState(scope);
    const again = await harness.identityCenter.readState(scope);

    expect(sorted(again)).toEqual(expected);
    expect(harness.emulator.count("sso-admin", "ListAccountAssignmentsForPrincipal")).toBe(1);
  });
});
