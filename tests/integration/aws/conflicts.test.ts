/**
 * ConflictException is not "already exists" (issue #12). sso-admin's ConflictException "occurs when a
 * conflict with a previous successful write is detected ... A retry (with appropriate backoff logic) is
 * the recommended response"; identitystore's carries a Reason that tells a uniqueness claim from a
 * concurrent modification. The adapter retries conflicts and adopts only what a read shows exists.
 */
import {
  DescribePermissionSetProvisioningStatusCommand,
  ProvisionPermissionSetCommand,
} from "@aws-sdk/client-sso-admin";
import { afterEach, describe, expect, it } from "vitest";
import { ChangeFailedError } from "../../../src/sync/errors.js";
import type { Assignment, IdentityCenterState } from "../../../src/sync/model.js";
import { permissionSetDiff } from "../../../src/sync/permission-set-diff.js";
import {
  anIdentityCenter,
  aPermissionSet,
  aScope,
  aStoredPermissionSet,
  aUser,
  clientsFor,
  type Harness,
  quickSleep,
  startHarness,
} from "./harness.js";

const alice = aUser("alice");
const developer = aStoredPermissionSet("Developer", {
  tags: { "managed-by": "idc-sync" },
  provisionedAccountIds: ["222222222222"],
});
const toAlice: Assignment = {
  principalType: "USER",
  principalName: alice.userName,
  permissionSetName: "Developer",
  accountId: "222222222222",
};
const seed = (assignments: Assignment[] = []): IdentityCenterState =>
  anIdentityCenter({
    users: [alice],
    groups: [{ id: "g-developers", displayName: "developers", members: [] }],
    permissionSets: [developer],
    assignments,
  });
const scope = aScope({ groupNames: ["developers"], permissionSetNames: ["Developer", "Auditor"] });
const conflict = { type: "ConflictException", message: "Conflict with a previous write; retry with backoff" };

describe("ConflictException from sso-admin and identitystore", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  const start = async (state: IdentityCenterState) => {
    harness = await startHarness({ state });
    await harness.identityCenter.readState(scope);
    harness.emulator.resetCounts();
  };

  it("retries a CreateAccountAssignment answered ConflictException, and only reports it once the assignment exists", async () => {
    await start(seed());
    harness.emulator.faults.failNext(1, conflict, { operation: "CreateAccountAssignment" });

    await harness.identityCenter.applyChange({
      kind: "createAssignment",
      key: "a",
      reason: "",
      assignment: toAlice,
    });

    expect(harness.emulator.state().assignments).toEqual([toAlice]);
    expect(harness.emulator.count("sso-admin", "CreateAccountAssignment")).toBe(2);
  });

  it("adopts an assignment only when a read shows it exists, without creating it again", async () => {
    await start(seed([toAlice]));
    harness.emulator.faults.failNext(1, conflict, { operation: "CreateAccountAssignment" });

    await harness.identityCenter.applyChange({
      kind: "createAssignment",
      key: "a",
      reason: "",
      assignment: toAlice,
    });

    expect(harness.emulator.count("sso-admin", "CreateAccountAssignment")).toBe(1);
    expect(harness.emulator.count("sso-admin", "ListAccountAssignments")).toBe(1);
    expect(harness.emulator.count("sso-admin", "DescribeAccountAssignmentCreationStatus")).toBe(0);
  });

  it("retries a DeleteAccountAssignment answered ConflictException: the leaver's access still goes", async () => {
    await start(seed([toAlice]));
    harness.emulator.faults.failNext(2, conflict, { operation: "DeleteAccountAssignment" });

    await harness.identityCenter.applyChange({
      kind: "deleteAssignment",
      key: "a",
      reason: "",
      assignment: toAlice,
    });

    expect(harness.emulator.state().assignments).toEqual([]);
    expect(harness.emulator.count("sso-admin", "DeleteAccountAssignment")).toBe(3);
  });

  it("gives up on a conflict that outlasts the retry window, with AWS's words", async () => {
    await start(seed([toAlice]));
    harness.emulator.faults.failNext(10_000, conflict, { operation: "DeleteAccountAssignment" });

    const deleting = harness.identityCenter.applyChange({
      kind: "deleteAssignment",
      key: "a",
      reason: "",
      assignment: toAlice,
    });

    await expect(deleting).rejects.toBeInstanceOf(ChangeFailedError);
    await expect(deleting).rejects.toThrow(/ConflictException/);
    expect(harness.emulator.count("sso-admin", "DeleteAccountAssignment")).toBeGreaterThan(1);
  });

  it("waits out a provisioning someone else started: one permission set update at a time", async () => {
    harness = await startHarness({ state: seed(), asyncPolls: 0 });
    const { ssoAdmin } = clientsFor(harness.emulator);
    const elsewhere = await ssoAdmin.send(
      new ProvisionPermissionSetCommand({
        InstanceArn: harness.emulator.instanceArn,
        PermissionSetArn: developer.arn,
        TargetType: "AWS_ACCOUNT",
        TargetId: "222222222222",
      }),
    );
    let waits = 0;
    // The other provisioning finishes while the adapter backs off (its first poll completes it).
    const identityCenter = harness.newIdentityCenter({
      sleep: async (milliseconds) => {
        waits += 1;
        if (waits === 1) {
          await ssoAdmin.send(
            new DescribePermissionSetProvisioningStatusCommand({
              InstanceArn: harness.emulator.instanceArn,
              ProvisionPermissionSetRequestId: elsewhere.PermissionSetProvisioningStatus?.RequestId,
            }),
          );
        }
        await quickSleep(milliseconds);
      },
    });
    await identityCenter.readState(scope);
    const before = aPermissionSet("Developer");

    await identityCenter.applyChange({
      kind: "updatePermissionSet",
      key: "permissionSet:Developer",
      reason: "",
      permissionSet: { ...before, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      diff: permissionSetDiff(before, {
        ...before,
        managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      }),
      fields: [],
    });

    ssoAdmin.destroy();
    expect(harness.emulator.state().permissionSets[0]?.managedPolicyArns).toEqual([
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    expect(harness.emulator.count("sso-admin", "AttachManagedPolicyToPermissionSet")).toBe(2);
  });

  it("retries an AttachManagedPolicyToPermissionSet conflict when a read shows the policy is not attached", async () => {
    await start(seed());
    harness.emulator.faults.failNext(1, conflict, { operation: "AttachManagedPolicyToPermissionSet" });
    const before = aPermissionSet("Developer");

    await harness.identityCenter.applyChange({
      kind: "updatePermissionSet",
      key: "permissionSet:Developer",
      reason: "",
      permissionSet: { ...before, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      diff: permissionSetDiff(before, {
        ...before,
        managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      }),
      fields: [],
    });

    expect(harness.emulator.state().permissionSets[0]?.managedPolicyArns).toEqual([
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
  });

  it("retries a CreatePermissionSet conflict when no permission set of that name exists, and creates it once", async () => {
    await start(seed());
    harness.emulator.faults.failNext(1, conflict, { operation: "CreatePermissionSet" });

    await harness.identityCenter.applyChange({
      kind: "createPermissionSet",
      key: "permissionSet:Auditor",
      reason: "",
      permissionSet: aPermissionSet("Auditor"),
    });

    expect(
      harness.emulator
        .state()
        .permissionSets.map((set) => set.name)
        .sort(),
    ).toEqual(["Auditor", "Developer"]);
    expect(harness.emulator.count("sso-admin", "CreatePermissionSet")).toBe(2);
  });

  it("retries a membership conflict AWS says is a concurrent modification, not taking it for 'already a member'", async () => {
    await start(seed());
    harness.emulator.faults.failNext(
      1,
      { ...conflict, extra: { Reason: "CONCURRENT_MODIFICATION" } },
      { operation: "CreateGroupMembership" },
    );

    await harness.identityCenter.applyChange({
      kind: "addMember",
      key: "member",
      reason: "",
      groupName: "developers",
      userName: alice.userName,
    });

    expect(harness.emulator.state().groups[0]?.members).toEqual([alice.userName]);
    expect(harness.emulator.count("identitystore", "CreateGroupMembership")).toBe(2);
  });

  it("takes a uniqueness conflict on a membership for 'already a member', without retrying", async () => {
    await start(
      anIdentityCenter({
        ...seed(),
        groups: [{ id: "g-developers", displayName: "developers", members: [alice.userName] }],
      }),
    );

    await harness.identityCenter.applyChange({
      kind: "addMember",
      key: "member",
      reason: "",
      groupName: "developers",
      userName: alice.userName,
    });

    expect(harness.emulator.count("identitystore", "CreateGroupMembership")).toBe(1);
  });

  it("adopts a membership after a conflict without a reason when a read finds it", async () => {
    await start(
      anIdentityCenter({
        ...seed(),
        groups: [{ id: "g-developers", displayName: "developers", members: [alice.userName] }],
      }),
    );
    harness.emulator.faults.failNext(1, conflict, { operation: "CreateGroupMembership" });

    await harness.identityCenter.applyChange({
      kind: "addMember",
      key: "member",
      reason: "",
      groupName: "developers",
      userName: alice.userName,
    });

    expect(harness.emulator.count("identitystore", "CreateGroupMembership")).toBe(1);
  });

  it("retries a membership conflict without a reason when a read does not find the membership", async () => {
    await start(seed());
    harness.emulator.faults.failNext(1, conflict, { operation: "CreateGroupMembership" });

    await harness.identityCenter.applyChange({
      kind: "addMember",
      key: "member",
      reason: "",
      groupName: "developers",
      userName: alice.userName,
    });

    expect(harness.emulator.state().groups[0]?.members).toEqual([alice.userName]);
    expect(harness.emulator.count("identitystore", "GetGroupMembershipId")).toBe(1);
    expect(harness.emulator.count("identitystore", "CreateGroupMembership")).toBe(2);
  });
});
