/**
 * Suspended and closed accounts (issue #12). AWS cannot reach a SUSPENDED or PENDING_CLOSURE account's
 * roles, so assignment changes and provisioning there FAIL. idc-sync leaves the assignments in such an
 * account alone (reported), provisions only active accounts, and never lets such an account hold back a
 * leaver's removal everywhere else. The whole run goes through `runSync`: rules, the organization from
 * the Organizations emulator, Identity Center from the sso-admin and identitystore emulators.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { Assignment, IdentityCenterState } from "../../../src/sync/model.js";
import { runSync } from "../../../src/sync/run-sync.js";
import { aDirectory, aDirectoryUser, aGoogleGroup, someRules } from "../../builders/rules.js";
import {
  anIdentityCenter,
  anOrganization,
  aStoredPermissionSet,
  aUser,
  type Harness,
  startHarness,
} from "./harness.js";

// anOrganization(): 222222222222 (dev) is ACTIVE, 444444444444 (old) is SUSPENDED.
const alice = aUser("alice");
const bob = aUser("bob");
const assignment = (
  principalName: string,
  accountId: string,
  principalType: "USER" | "GROUP" = "GROUP",
): Assignment => ({
  principalType,
  principalName,
  permissionSetName: "Developer",
  accountId,
});
const seed: IdentityCenterState = anIdentityCenter({
  users: [alice, bob],
  groups: [{ id: "g-developers", displayName: "developers", members: [alice.userName, bob.userName] }],
  permissionSets: [
    aStoredPermissionSet("Developer", {
      tags: { "managed-by": "idc-sync" },
      provisionedAccountIds: ["222222222222", "444444444444"],
    }),
  ],
  assignments: [
    assignment("developers", "222222222222"),
    assignment("developers", "444444444444"),
    assignment(alice.userName, "222222222222", "USER"),
    assignment(alice.userName, "444444444444", "USER"),
  ],
});
// Alice left (suspended in Google); bob stays in developers, which keeps Developer in dev.
const directory = aDirectory({
  users: [
    aDirectoryUser({
      primaryEmail: alice.userName,
      givenName: "Alice",
      familyName: "Example",
      suspended: true,
    }),
    aDirectoryUser({ primaryEmail: bob.userName, givenName: "Bob", familyName: "Example" }),
  ],
  groups: [aGoogleGroup("dev@example.com", [alice.userName, bob.userName])],
});
const rules = (sessionDuration = "PT8H") =>
  someRules({
    groups: [{ name: "developers", members: [{ googleGroup: "dev@example.com" }] }],
    permissionSets: [{ name: "Developer", sessionDuration }],
    accounts: { dev: ["222222222222"], old: ["444444444444"] },
    assignments: [{ groups: ["developers"], permissionSets: ["Developer"], accounts: ["dev", "old"] }],
  });

describe("assignments in suspended and closed accounts", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  const sync = (sessionDuration?: string) =>
    runSync({
      rules: rules(sessionDuration),
      mode: "apply",
      allowDeletions: 100,
      ports: {
        directory: { readDirectory: async () => directory },
        accounts: harness.accounts,
        identityCenter: harness.newIdentityCenter(),
      },
    });
  const inSuspended = () =>
    harness.emulator.leftovers().assignments.length +
    harness.emulator.state().assignments.filter((entry) => entry.accountId === "444444444444").length;

  it("removes a leaver everywhere else, user included, and leaves the suspended account's assignments alone", async () => {
    harness = await startHarness({ state: seed, organization: anOrganization() });

    const result = await sync();

    expect(result.status).toBe("applied");
    if (result.status !== "applied") return;
    expect(result.report.failed).toBe(0);
    const state = harness.emulator.state();
    expect(state.users.map((user) => user.userName)).toEqual([bob.userName]);
    expect(state.assignments.filter((entry) => entry.accountId === "222222222222")).toEqual([
      assignment("developers", "222222222222"),
    ]);
    // The group's and the (deleted) leaver's assignments in the suspended account are still there.
    expect(inSuspended()).toBe(2);
    expect(result.plan.notes).toContainEqual({
      kind: "inactiveAccount",
      name: "old (444444444444)",
      detail:
        "SUSPENDED: AWS cannot change assignments or provision permission sets there, so idc-sync leaves alone 2 assignments of managed principals until the account is ACTIVE again (AWS deletes a closed account's resources after 90 days)",
    });
    expect(result.plan.changes.some((change) => JSON.stringify(change).includes("444444444444"))).toBe(false);
  });

  it("provisions a changed permission set to the active accounts only", async () => {
    harness = await startHarness({ state: seed, organization: anOrganization() });

    const result = await sync("PT4H");

    expect(result.status).toBe("applied");
    if (result.status !== "applied") return;
    expect(result.report.failed).toBe(0);
    expect(result.plan.changes.find((change) => change.kind === "provisionPermissionSet")).toMatchObject({
      accountIds: ["222222222222"],
    });
  });

  it("plans nothing more once converged, run after run", async () => {
    harness = await startHarness({ state: seed, organization: anOrganization() });
    await sync();

    const again = await sync();

    expect(again.status).toBe("applied");
    if (again.status !== "applied") return;
    expect(again.plan.changes).toEqual([]);
  });
});
