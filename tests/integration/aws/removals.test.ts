/**
 * Removals through the real AWS SDK clients against the emulator (issue #11): a group and a permission
 * set that left the rules go after their memberships and assignments, in the order AWS needs (the
 * emulator refuses DeletePermissionSet while an assignment uses it, and leaves a deleted group's
 * memberships behind); AWS refusing a deletion is reported with its words and tried again next run; and
 * users a SCIM provisioner created are read with their ExternalIds and left alone.
 */
import {
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
} from "@aws-sdk/client-sso-admin";
import { afterEach, describe, expect, it } from "vitest";
import type { AwsIdentityCenter } from "../../../src/adapters/aws/aws-identity-center.js";
import { applyPlan } from "../../../src/sync/apply.js";
import type { DesiredState, IdentityCenterState, Ownership } from "../../../src/sync/model.js";
import { readScopeFor, settleOwnership } from "../../../src/sync/ownership.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  anIdentityCenter,
  aPermissionSet,
  aScope,
  aStoredPermissionSet,
  aUser,
  clientsFor,
  type Harness,
  startHarness,
  userAttributes,
} from "./harness.js";

const alice = aUser("alice");
const bob = aUser("bob");
const developer = aStoredPermissionSet("Developer", {
  provisionedAccountIds: ["222222222222", "333333333333"],
});
const readOnly = aStoredPermissionSet("ReadOnly", { provisionedAccountIds: ["333333333333"] });

function seeded(extra: Partial<IdentityCenterState> = {}): IdentityCenterState {
  return anIdentityCenter({
    users: [alice, bob],
    groups: [
      {
        id: "90670000a1-00000000-0000-4000-8000-00000000000d",
        displayName: "developers",
        members: [alice.userName],
      },
      {
        id: "90670000a1-00000000-0000-4000-8000-00000000000c",
        displayName: "kaigodx-developers",
        members: [alice.userName, bob.userName],
      },
    ],
    permissionSets: [developer, readOnly],
    assignments: [
      {
        principalType: "GROUP",
        principalName: "developers",
        permissionSetName: "Developer",
        accountId: "222222222222",
      },
      {
        principalType: "GROUP",
        principalName: "kaigodx-developers",
        permissionSetName: "Developer",
        accountId: "333333333333",
      },
      {
        principalType: "GROUP",
        principalName: "kaigodx-developers",
        permissionSetName: "ReadOnly",
        accountId: "333333333333",
      },
    ],
    ...extra,
  });
}

// The rules now: developers × Developer in 222222222222. kaigodx-developers (groups[1]) and ReadOnly
// (permissionSets[1]) left them.
const scope = aScope({ groupNames: ["developers"], permissionSetNames: ["Developer"] });
const desired: DesiredState = {
  users: [alice, bob].map((user) => ({ ...userAttributes(user), previousUserNames: [], reason: "mapped" })),
  groups: [
    {
      displayName: "developers",
      rule: "groups[0]",
      previousNames: [],
      members: [{ userName: alice.userName, reason: "orgUnit /Engineering" }],
    },
  ],
  permissionSets: [{ ...aPermissionSet("Developer"), rule: "permissionSets[0]" }],
  assignments: [
    {
      principalType: "GROUP",
      principalName: "developers",
      permissionSetName: "Developer",
      accountId: "222222222222",
      reason: "assignments[0]",
    },
  ],
  absentReasons: {},
};
const owned: Ownership = {
  groups: {
    developers: { rule: "groups[0]", origin: "created" },
    "kaigodx-developers": { rule: "groups[1]", origin: "created" },
  },
  permissionSets: {
    Developer: { rule: "permissionSets[0]", origin: "created" },
    ReadOnly: { rule: "permissionSets[1]", origin: "created" },
  },
  users: {},
};

/** One run as the CLI does it, with the ownership record, through a fresh adapter that logs its calls. */
async function sync(
  harness: Harness,
  record: Ownership | undefined,
  options: Parameters<Harness["newIdentityCenter"]>[0] = {},
) {
  const calls: string[] = [];
  const adapter: AwsIdentityCenter = harness.newIdentityCenter({
    onCall: (service, operation) => calls.push(`${service}:${operation}`),
    ...options,
  });
  const actual = await adapter.readState(readScopeFor(scope, record));
  const plan = computePlan(desired, actual, scope, record);
  const report = await applyPlan(plan, adapter);
  const done = new Set(report.outcomes.filter((o) => o.status === "applied").map((o) => o.key));
  const next = settleOwnership(
    plan,
    record,
    plan.changes.filter((change) => !done.has(change.key)),
  );
  return { plan, report, calls, next };
}

const positions = (calls: string[], operation: string) =>
  calls.flatMap((call, index) => (call.endsWith(`:${operation}`) ? [index] : []));

describe("removing what left the rules, against the AWS emulator", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("takes away assignments and memberships first, then deletes the group and the permission set, leaving nothing behind", async () => {
    harness = await startHarness({ state: seeded() });

    const { plan, report, calls, next } = await sync(harness, owned);

    expect(plan.changes.map((change) => `${change.kind} ${change.key}`)).toEqual([
      "deleteAssignment assignment:GROUP:kaigodx-developers:Developer:333333333333",
      "deleteAssignment assignment:GROUP:kaigodx-developers:ReadOnly:333333333333",
      "removeMember member:kaigodx-developers:alice@example.com",
      "removeMember member:kaigodx-developers:bob@example.com",
      "deleteGroup group:kaigodx-developers",
      "deletePermissionSet permissionSet:ReadOnly",
    ]);
    expect(report).toMatchObject({ applied: 6, failed: 0, skipped: 0 });
    const deleteGroup = positions(calls, "DeleteGroup")[0]!;
    const deletePermissionSet = positions(calls, "DeletePermissionSet")[0]!;
    expect(Math.max(...positions(calls, "DeleteGroupMembership"))).toBeLessThan(deleteGroup);
    expect(Math.max(...positions(calls, "DescribeAccountAssignmentDeletionStatus"))).toBeLessThan(
      deleteGroup,
    );
    expect(Math.max(...positions(calls, "DescribeAccountAssignmentDeletionStatus"))).toBeLessThan(
      deletePermissionSet,
    );
    const state = harness.emulator.state();
    expect(state.groups.map((group) => group.displayName)).toEqual(["developers"]);
    expect(state.permissionSets.map((set) => set.name)).toEqual(["Developer"]);
    expect(state.assignments.map((a) => a.principalName)).toEqual(["developers"]);
    expect(harness.emulator.leftovers()).toEqual({ memberships: [], assignments: [] });

    const again = await sync(harness, next);
    expect(again.plan.changes).toEqual([]);
  });

  it("keeps a permission set that a group idc-sync does not manage still uses, and says so instead of failing", async () => {
    harness = await startHarness({
      state: seeded({
        groups: [
          ...seeded().groups,
          { id: "90670000a1-00000000-0000-4000-8000-00000000000e", displayName: "handmade", members: [] },
        ],
        assignments: [
          ...seeded().assignments,
          {
            principalType: "GROUP",
            principalName: "handmade",
            permissionSetName: "ReadOnly",
            accountId: "333333333333",
          },
        ],
      }),
    });

    const { plan, report, calls } = await sync(harness, owned);

    expect(report.failed).toBe(0);
    expect(positions(calls, "DeletePermissionSet")).toEqual([]);
    expect(plan.notes.find((note) => note.name === "ReadOnly")?.detail).toContain(
      "but it is still assigned to group handmade, which idc-sync does not manage",
    );
    expect(harness.emulator.state().permissionSets.map((set) => set.name)).toEqual(["Developer", "ReadOnly"]);
  });

  it("reports AWS's reason when it refuses a deletion, keeps ownership, and deletes on the next run once it can", async () => {
    harness = await startHarness({ state: seeded() });
    const adapter = harness.newIdentityCenter();
    const actual = await adapter.readState(readScopeFor(scope, owned));
    const plan = computePlan(desired, actual, scope, owned);
    // Someone assigns ReadOnly by hand between the plan and the apply.
    const handmade = await grantByHand(harness, "ReadOnly", bob.id, "USER");

    const report = await applyPlan(plan, adapter);

    expect(report.outcomes.find((o) => o.key === "permissionSet:ReadOnly")).toMatchObject({
      status: "failed",
      error: expect.stringContaining(
        "ConflictException: Could not delete because PermissionSet has ApplicationProfile associated with it",
      ),
    });
    const failed = plan.changes.filter((change) => change.key === "permissionSet:ReadOnly");
    const record = settleOwnership(plan, owned, failed);
    expect(record?.permissionSets.ReadOnly).toEqual({ rule: "permissionSets[1]", origin: "created" });

    // bob is managed, so the next run takes the hand-made grant away too, and then the permission set.
    expect(handmade).toBe("SUCCEEDED");
    const next = await sync(harness, record);
    expect(next.plan.changes.map((change) => `${change.kind} ${change.key}`)).toEqual([
      "deleteAssignment assignment:USER:bob@example.com:ReadOnly:333333333333",
      "deletePermissionSet permissionSet:ReadOnly",
    ]);
    expect(next.report.failed).toBe(0);
    expect(harness.emulator.state().permissionSets.map((set) => set.name)).toEqual(["Developer"]);
  });

  it("reports a group deletion AWS throttles past the retries, keeps it owned, and deletes it next run", async () => {
    harness = await startHarness({ state: seeded() });
    harness.emulator.faults.throttleNext(3, { service: "identitystore", operation: "DeleteGroup" });

    const first = await sync(harness, owned, { retry: { maxAttempts: 3 } });

    expect(first.report.outcomes.find((o) => o.key === "group:kaigodx-developers")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("ThrottlingException"),
    });
    expect(first.next?.groups["kaigodx-developers"]).toEqual({ rule: "groups[1]", origin: "created" });
    expect(harness.emulator.state().groups.map((group) => group.displayName)).toContain("kaigodx-developers");

    const second = await sync(harness, first.next);

    expect(second.plan.changes.map((change) => `${change.kind} ${change.key}`)).toEqual([
      "deleteGroup group:kaigodx-developers",
    ]);
    expect(second.report.failed).toBe(0);
    expect(harness.emulator.state().groups.map((group) => group.displayName)).toEqual(["developers"]);
    expect(harness.emulator.leftovers()).toEqual({ memberships: [], assignments: [] });
  });

  it("with the record lost, reads tags to find its permission sets, and does not touch a group it cannot tell is its own", async () => {
    harness = await startHarness({
      state: seeded({
        permissionSets: [
          { ...developer, managedByTag: true },
          { ...readOnly, managedByTag: true },
          aStoredPermissionSet("AWSAdministratorAccess"),
        ],
      }),
    });

    const { plan, calls } = await sync(harness, undefined);

    // ReadOnly is recognised by its tag, but the group holding it is not recognisable without the
    // record: the group and its grant are left alone, and so, for now, is ReadOnly.
    expect(plan.changes).toEqual([]);
    expect(plan.notes.find((note) => note.name === "ReadOnly")?.detail).toBe(
      "removed from the rules (ReadOnly is tagged managed-by=idc-sync), but it is still assigned to group kaigodx-developers, which idc-sync does not manage; remove those assignments and idc-sync deletes it",
    );
    // Developer (in the rules), ReadOnly and AWSAdministratorAccess: one tag listing each.
    expect(positions(calls, "ListTagsForResource")).toHaveLength(3);
    expect(positions(calls, "ListGroupMemberships")).toHaveLength(1);
  });

  it("reads users a SCIM provisioner created with their ExternalIds and leaves them alone", async () => {
    const scim = aUser("scim", {
      displayName: "Set By Scim",
      externalIds: [{ issuer: "https://scim.example/issuer", id: "ext-1" }],
    });
    harness = await startHarness({ state: seeded({ users: [alice, bob, scim] }) });

    const { plan, report } = await sync(harness, owned);

    expect(plan.externallyProvisionedUsers).toEqual(["scim@example.com"]);
    expect(plan.changes.some((change) => change.key === "user:scim@example.com")).toBe(false);
    expect(report.failed).toBe(0);
    expect(harness.emulator.state().users.find((user) => user.userName === "scim@example.com")).toEqual(scim);
  });
});

/** An assignment made outside idc-sync, straight through the API; returns its final status. */
async function grantByHand(
  harness: Harness,
  permissionSetName: string,
  principalId: string,
  principalType: "USER" | "GROUP",
): Promise<string | undefined> {
  const { ssoAdmin } = clientsFor(harness.emulator);
  const arn = harness.emulator.state().permissionSets.find((set) => set.name === permissionSetName)?.arn;
  const started = await ssoAdmin.send(
    new CreateAccountAssignmentCommand({
      InstanceArn: harness.emulator.instanceArn,
      TargetId: "333333333333",
      TargetType: "AWS_ACCOUNT",
      PermissionSetArn: arn,
      PrincipalType: principalType,
      PrincipalId: principalId,
    }),
  );
  let status = started.AccountAssignmentCreationStatus?.Status;
  for (let poll = 0; poll < 10 && status === "IN_PROGRESS"; poll += 1) {
    const described = await ssoAdmin.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: harness.emulator.instanceArn,
        AccountAssignmentCreationRequestId: started.AccountAssignmentCreationStatus?.RequestId,
      }),
    );
    status = described.AccountAssignmentCreationStatus?.Status;
  }
  ssoAdmin.destroy();
  return status;
}
