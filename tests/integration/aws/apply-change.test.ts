import { afterEach, describe, expect, it } from "vitest";
import { ChangeFailedError } from "../../../src/sync/errors.js";
import type { Assignment, IdentityCenterState } from "../../../src/sync/model.js";
import { permissionSetDiff } from "../../../src/sync/permission-set-diff.js";
import { computePlan } from "../../../src/sync/plan.js";
import { aDesiredState } from "../../builders/model.js";
import {
  anIdentityCenter,
  aPermissionSet,
  aScope,
  aStoredPermissionSet,
  aUser,
  type Harness,
  startHarness,
  userAttributes,
} from "./harness.js";

const alice = aUser("alice", { title: "Engineer", enterprise: { department: "Platform" } });
const bob = aUser("bob");
const developer = aStoredPermissionSet("Developer", {
  managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  customerManagedPolicies: [{ name: "old-policy", path: "/" }],
  inlinePolicy: '{"Statement":[],"Version":"2012-10-17"}',
  permissionsBoundary: { kind: "managed", managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
  tags: { team: "platform", cost: "1", "managed-by": "idc-sync" },
  provisionedAccountIds: ["222222222222"],
});
const toDevelopers: Assignment = {
  principalType: "GROUP",
  principalName: "developers",
  permissionSetName: "Developer",
  accountId: "222222222222",
};

const seed = (): IdentityCenterState =>
  anIdentityCenter({
    users: [alice, bob],
    groups: [{ id: "g-developers", displayName: "developers", members: ["alice@example.com"] }],
    permissionSets: [developer],
    assignments: [toDevelopers],
  });

const scope = aScope({ groupNames: ["developers", "admins"], permissionSetNames: ["Developer", "Auditor"] });

describe("applying each kind of change through the AWS APIs", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  const start = async (): Promise<Harness> => {
    harness = await startHarness({ state: seed() });
    await harness.identityCenter.readState(scope);
    harness.emulator.resetCounts();
    return harness;
  };
  const user = (userName: string) =>
    harness.emulator.state().users.find((entry) => entry.userName === userName);
  const group = (displayName: string) =>
    harness.emulator.state().groups.find((entry) => entry.displayName === displayName);
  const permissionSet = (name: string) =>
    harness.emulator.state().permissionSets.find((entry) => entry.name === name);

  it("creates a user with its name, email, title and enterprise attributes, the manager as a user id", async () => {
    await start();
    const dave = {
      ...userAttributes(aUser("dave")),
      title: "SRE",
      enterprise: { costCenter: "CC-1", manager: "alice@example.com" },
    };

    await harness.identityCenter.applyChange({
      kind: "createUser",
      key: "user:dave@example.com",
      reason: "new",
      user: dave,
    });

    expect(user("dave@example.com")).toEqual({ ...dave, id: expect.any(String) });
    expect(harness.emulator.counts().byOperation).toEqual({ "identitystore:CreateUser": 1 });
  });

  it("updates only the attributes that changed, renaming the userName in place", async () => {
    await start();
    const renamed = { ...userAttributes(alice), userName: "alice.smith@example.com", familyName: "Smith" };

    await harness.identityCenter.applyChange({
      kind: "updateUser",
      key: "user:alice.smith@example.com",
      reason: "renamed in Google",
      userName: "alice@example.com",
      user: renamed,
      fields: [
        { field: "userName", from: "alice@example.com", to: "alice.smith@example.com" },
        { field: "familyName", from: "Example", to: "Smith" },
      ],
    });

    expect(user("alice.smith@example.com")).toEqual({ ...renamed, id: alice.id });
    expect(user("alice@example.com")).toBeUndefined();
    expect(group("developers")?.members).toEqual(["alice.smith@example.com"]);
    expect(harness.emulator.counts().byOperation).toEqual({ "identitystore:UpdateUser": 1 });
  });

  it("changes the email address, replacing the emails whole with SCIM-named sub-attributes", async () => {
    await start();
    const moved = { ...userAttributes(alice), email: "alice@example.org" };

    await harness.identityCenter.applyChange({
      kind: "updateUser",
      key: "user:alice@example.com",
      reason: "email changed in Google",
      userName: "alice@example.com",
      user: moved,
      fields: [{ field: "email", from: "alice@example.com", to: "alice@example.org" }],
    });

    expect(user("alice@example.com")).toEqual({ ...moved, id: alice.id });
    expect(harness.emulator.counts().byOperation).toEqual({ "identitystore:UpdateUser": 1 });
  });

  it("removes a title and replaces the enterprise extension when they change", async () => {
    await start();
    const { title: _title, ...withoutTitle } = userAttributes(alice);
    const changed = { ...withoutTitle, enterprise: { department: "Security", division: "Infra" } };

    await harness.identityCenter.applyChange({
      kind: "updateUser",
      key: "user:alice@example.com",
      reason: "changed",
      userName: "alice@example.com",
      user: changed,
      fields: [
        { field: "title", from: "Engineer", to: null },
        { field: "enterprise", from: alice.enterprise, to: changed.enterprise },
      ],
    });

    expect(user("alice@example.com")).toEqual({ ...changed, id: alice.id });
  });

  it("sends only the attributes the plan names: an e-mail that differs only in case is not rewritten", async () => {
    const mixedCase = aUser("carol", { email: "Carol@Example.com" });
    harness = await startHarness({ state: anIdentityCenter({ users: [mixedCase] }) });
    const actual = await harness.identityCenter.readState(scope);
    harness.emulator.resetCounts();
    const { id: _id, ...carol } = mixedCase;
    const desired = aDesiredState({
      users: [
        {
          ...carol,
          email: "carol@example.com",
          displayName: "Carol Jones",
          previousUserNames: [],
          reason: "r",
        },
      ],
    });

    const update = computePlan(desired, actual, scope).changes.find((change) => change.kind === "updateUser");
    if (update === undefined) throw new Error("the plan has no user update");
    await harness.identityCenter.applyChange(update);

    // The planner's e-mail equality ignores case, so only the display name changes on the wire.
    expect(update.kind === "updateUser" && update.fields.map((field) => field.field)).toEqual([
      "displayName",
    ]);
    expect(user("carol@example.com")).toEqual({ ...mixedCase, displayName: "Carol Jones" });
    expect(harness.emulator.counts().byOperation).toEqual({ "identitystore:UpdateUser": 1 });
  });

  it("deletes a user, and deleting one already gone is not an error", async () => {
    await start();

    await harness.identityCenter.applyChange({
      kind: "deleteUser",
      key: "user:bob@example.com",
      reason: "left",
      userName: "bob@example.com",
    });
    await harness.newIdentityCenter().applyChange({
      kind: "deleteUser",
      key: "user:bob@example.com",
      reason: "left",
      userName: "bob@example.com",
    });

    expect(user("bob@example.com")).toBeUndefined();
  });

  it("creates and updates groups, renaming by displayName and clearing the description", async () => {
    await start();

    await harness.identityCenter.applyChange({
      kind: "createGroup",
      key: "group:admins",
      reason: "in the rules",
      displayName: "admins",
      description: "Administrators",
    });
    await harness.identityCenter.applyChange({
      kind: "updateGroup",
      key: "group:platform-admins",
      reason: "renamed in the rules",
      currentDisplayName: "admins",
      displayName: "platform-admins",
      fields: [],
    });

    expect(group("platform-admins")).toEqual({
      id: expect.any(String),
      displayName: "platform-admins",
      members: [],
    });
    expect(group("admins")).toBeUndefined();
  });

  it("adds and removes members, a membership learnt from the read or created in this run", async () => {
    await start();

    await harness.identityCenter.applyChange({
      kind: "addMember",
      key: "member:developers:bob@example.com",
      reason: "joined",
      groupName: "developers",
      userName: "bob@example.com",
    });
    await harness.identityCenter.applyChange({
      kind: "removeMember",
      key: "member:developers:alice@example.com",
      reason: "left",
      groupName: "developers",
      userName: "alice@example.com",
    });
    await harness.identityCenter.applyChange({
      kind: "removeMember",
      key: "member:developers:bob@example.com",
      reason: "left",
      groupName: "developers",
      userName: "bob@example.com",
    });

    expect(group("developers")?.members).toEqual([]);
    // Membership ids came from ListGroupMemberships and CreateGroupMembership: no lookup needed.
    expect(harness.emulator.count("identitystore", "GetGroupMembershipId")).toBe(0);
  });

  it("looks the membership id up when a fresh adapter removes a member it never read", async () => {
    await start();

    await harness.newIdentityCenter().applyChange({
      kind: "removeMember",
      key: "member:developers:alice@example.com",
      reason: "left",
      groupName: "developers",
      userName: "alice@example.com",
    });

    expect(group("developers")?.members).toEqual([]);
    expect(harness.emulator.count("identitystore", "GetGroupMembershipId")).toBe(1);
  });

  it("creates a permission set with everything in it, tagged managed-by=idc-sync", async () => {
    await start();
    const auditor = aPermissionSet("Auditor", {
      description: "Read-only audit",
      sessionDuration: "PT2H",
      relayState: "https://console.aws.amazon.com/",
      managedPolicyArns: ["arn:aws:iam::aws:policy/SecurityAudit"],
      customerManagedPolicies: [{ name: "audit-extra", path: "/idc/" }],
      inlinePolicy:
        '{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}',
      permissionsBoundary: { kind: "customerManaged", policy: { name: "boundary", path: "/" } },
      tags: { team: "security" },
    });

    await harness.identityCenter.applyChange({
      kind: "createPermissionSet",
      key: "permissionSet:Auditor",
      reason: "in the rules",
      permissionSet: auditor,
    });

    const stored = permissionSet("Auditor");
    expect(stored).toMatchObject({
      ...auditor,
      inlinePolicy: expect.any(String),
      tags: { team: "security", "managed-by": "idc-sync" },
    });
    expect(JSON.parse(stored?.inlinePolicy ?? "")).toEqual(JSON.parse(auditor.inlinePolicy ?? ""));
    const reread = await harness.newIdentityCenter().readState(scope);
    expect(reread.permissionSets.find((entry) => entry.name === "Auditor")).toEqual({
      ...auditor,
      arn: stored?.arn,
      managedByTag: true,
      provisionedAccountIds: [],
    });
  });

  it("updates a permission set with the calls its differences need and nothing else", async () => {
    await start();
    const { arn: _arn, provisionedAccountIds: _accounts, ...before } = developer;
    const { "managed-by": _marker, ...beforeTags } = before.tags;
    const after = aPermissionSet("Developer", {
      description: "Developers",
      sessionDuration: "PT4H",
      managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
      customerManagedPolicies: [{ name: "new-policy", path: "/" }],
      tags: { team: "platform", owner: "infra" },
    });

    await harness.identityCenter.applyChange({
      kind: "updatePermissionSet",
      key: "permissionSet:Developer",
      reason: "changed in the rules",
      permissionSet: after,
      diff: permissionSetDiff({ ...before, tags: beforeTags }, after),
      fields: [],
    });

    expect(permissionSet("Developer")).toEqual({
      ...after,
      arn: developer.arn,
      managedByTag: true,
      tags: { team: "platform", owner: "infra", "managed-by": "idc-sync" },
      provisionedAccountIds: ["222222222222"],
      // The account runs the old version until the plan's provisionPermissionSet reaches it.
      outdatedAccountIds: ["222222222222"],
    });
    expect(harness.emulator.counts().byOperation).toEqual({
      "sso-admin:UpdatePermissionSet": 1,
      "sso-admin:AttachManagedPolicyToPermissionSet": 1,
      "sso-admin:DetachManagedPolicyFromPermissionSet": 1,
      "sso-admin:AttachCustomerManagedPolicyReferenceToPermissionSet": 1,
      "sso-admin:DetachCustomerManagedPolicyReferenceFromPermissionSet": 1,
      "sso-admin:DeleteInlinePolicyFromPermissionSet": 1,
      "sso-admin:DeletePermissionsBoundaryFromPermissionSet": 1,
      "sso-admin:TagResource": 1,
      "sso-admin:UntagResource": 1,
    });
  });

  it("provisions a changed permission set to an account using it with one request, polled to SUCCEEDED", async () => {
    await start();
    harness.emulator.faults.asyncPolls = 3;

    await harness.identityCenter.applyChange({
      kind: "provisionPermissionSet",
      key: "provision:Developer",
      reason: "changed",
      permissionSetName: "Developer",
      accountIds: ["222222222222"],
    });

    expect(harness.emulator.count("sso-admin", "ProvisionPermissionSet")).toBe(1);
    expect(harness.emulator.count("sso-admin", "DescribePermissionSetProvisioningStatus")).toBe(4);
  });

  it("creates and deletes account assignments, waiting for each to finish", async () => {
    await start();
    harness.emulator.faults.asyncPolls = 2;
    const toAlice: Assignment = {
      principalType: "USER",
      principalName: "alice@example.com",
      permissionSetName: "Developer",
      accountId: "333333333333",
    };

    await harness.identityCenter.applyChange({
      kind: "createAssignment",
      key: "a1",
      reason: "granted",
      assignment: toAlice,
    });
    await harness.identityCenter.applyChange({
      kind: "deleteAssignment",
      key: "a2",
      reason: "not granted",
      assignment: toDevelopers,
    });

    expect(harness.emulator.state().assignments).toEqual([toAlice]);
    expect(permissionSet("Developer")?.provisionedAccountIds).toEqual(["222222222222", "333333333333"]);
    expect(harness.emulator.count("sso-admin", "DescribeAccountAssignmentCreationStatus")).toBe(3);
    expect(harness.emulator.count("sso-admin", "DescribeAccountAssignmentDeletionStatus")).toBe(3);
  });

  it("fails a change naming a principal that does not exist, with the change's key", async () => {
    await start();

    const adding = harness.identityCenter.applyChange({
      kind: "addMember",
      key: "member:developers:nobody@example.com",
      reason: "joined",
      groupName: "developers",
      userName: "nobody@example.com",
    });

    await expect(adding).rejects.toBeInstanceOf(ChangeFailedError);
    await expect(adding).rejects.toMatchObject({ changeKey: "member:developers:nobody@example.com" });
    await expect(adding).rejects.toThrow(/nobody@example.com does not exist/);
  });
});
