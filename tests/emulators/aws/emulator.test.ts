import {
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteUserCommand,
  GetUserIdCommand,
  type IdentitystoreClient,
  ListGroupsCommand,
  ListUsersCommand,
} from "@aws-sdk/client-identitystore";
import {
  CreateAccountAssignmentCommand,
  DeleteAccountAssignmentCommand,
  DeletePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribeInstanceCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  type SSOAdminClient,
} from "@aws-sdk/client-sso-admin";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientsFor } from "../../integration/aws/harness.js";
import { type AwsEmulator, startAwsEmulator } from "./emulator.js";

const newUser = (userName: string) => ({
  UserName: userName,
  DisplayName: userName,
  Name: { GivenName: "Given", FamilyName: "Family" },
});

describe("the AWS emulator, spoken to by the real SDK", () => {
  let emulator: AwsEmulator;
  let identityStore: IdentitystoreClient;
  let ssoAdmin: SSOAdminClient;

  beforeEach(async () => {
    emulator = await startAwsEmulator({
      state: {
        users: [],
        groups: [],
        permissionSets: [
          {
            arn: "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0000000000000001",
            name: "Developer",
            sessionDuration: "PT1H",
            managedPolicyArns: [],
            customerManagedPolicies: [],
            tags: {},
            provisionedAccountIds: [],
          },
        ],
        assignments: [],
      },
    });
    ({ identityStore, ssoAdmin } = clientsFor(emulator));
  });
  afterEach(async () => {
    identityStore.destroy();
    ssoAdmin.destroy();
    await emulator.close();
  });

  const IdentityStoreId = () => emulator.identityStoreId;

  it("answers ValidationException when a required field is missing", async () => {
    const creating = identityStore.send(
      new CreateUserCommand({
        IdentityStoreId: IdentityStoreId(),
        UserName: "x@example.com",
        DisplayName: "X",
      }),
    );

    await expect(creating).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("answers ConflictException for a userName taken in another case", async () => {
    await identityStore.send(
      new CreateUserCommand({ IdentityStoreId: IdentityStoreId(), ...newUser("a@example.com") }),
    );

    const again = identityStore.send(
      new CreateUserCommand({ IdentityStoreId: IdentityStoreId(), ...newUser("A@Example.com") }),
    );

    await expect(again).rejects.toMatchObject({
      name: "ConflictException",
      Reason: "UNIQUENESS_CONSTRAINT_VIOLATION",
    });
  });

  it("caps pages at 100 and rejects tokens it did not hand out", async () => {
    const tooMany = identityStore.send(
      new ListUsersCommand({ IdentityStoreId: IdentityStoreId(), MaxResults: 101 }),
    );
    const forged = identityStore.send(
      new ListUsersCommand({ IdentityStoreId: IdentityStoreId(), NextToken: "abc" }),
    );

    await expect(tooMany).rejects.toMatchObject({ name: "ValidationException" });
    await expect(forged).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("leaves a deleted user's memberships and assignments behind, as AWS documents no cascade", async () => {
    const { UserId } = await identityStore.send(
      new CreateUserCommand({ IdentityStoreId: IdentityStoreId(), ...newUser("gone@example.com") }),
    );
    const { CreateGroupCommand } = await import("@aws-sdk/client-identitystore");
    const { GroupId } = await identityStore.send(
      new CreateGroupCommand({ IdentityStoreId: IdentityStoreId(), DisplayName: "g" }),
    );
    await identityStore.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId: IdentityStoreId(),
        GroupId,
        MemberId: { UserId: UserId! },
      }),
    );
    const assignment = {
      InstanceArn: emulator.instanceArn,
      TargetId: "111111111111",
      TargetType: "AWS_ACCOUNT" as const,
      PermissionSetArn: "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0000000000000001",
      PrincipalType: "USER" as const,
      PrincipalId: UserId!,
    };
    emulator.faults.asyncPolls = 0;
    const started = await ssoAdmin.send(new CreateAccountAssignmentCommand(assignment));
    await ssoAdmin.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: emulator.instanceArn,
        AccountAssignmentCreationRequestId: started.AccountAssignmentCreationStatus?.RequestId,
      }),
    );

    await identityStore.send(new DeleteUserCommand({ IdentityStoreId: IdentityStoreId(), UserId }));

    const leftovers = emulator.leftovers();
    expect(leftovers.memberships).toHaveLength(1);
    expect(leftovers.assignments).toHaveLength(1);
  });

  it("keeps an assignment request IN_PROGRESS for the configured polls, and a duplicate one succeeds", async () => {
    const { UserId } = await identityStore.send(
      new CreateUserCommand({ IdentityStoreId: IdentityStoreId(), ...newUser("p@example.com") }),
    );
    emulator.faults.asyncPolls = 2;
    const assignment = {
      InstanceArn: emulator.instanceArn,
      TargetId: "111111111111",
      TargetType: "AWS_ACCOUNT" as const,
      PermissionSetArn: "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0000000000000001",
      PrincipalType: "USER" as const,
      PrincipalId: UserId!,
    };
    const poll = async (requestId: string | undefined) =>
      (
        await ssoAdmin.send(
          new DescribeAccountAssignmentCreationStatusCommand({
            InstanceArn: emulator.instanceArn,
            AccountAssignmentCreationRequestId: requestId,
          }),
        )
      ).AccountAssignmentCreationStatus?.Status;

    const first = await ssoAdmin.send(new CreateAccountAssignmentCommand(assignment));
    const statuses = [first.AccountAssignmentCreationStatus?.Status];
    for (let index = 0; index < 3; index += 1)
      statuses.push(await poll(first.AccountAssignmentCreationStatus?.RequestId));
    emulator.faults.asyncPolls = 0;
    const duplicate = await ssoAdmin.send(new CreateAccountAssignmentCommand(assignment));
    const duplicateStatus = await poll(duplicate.AccountAssignmentCreationStatus?.RequestId);

    expect(statuses).toEqual(["IN_PROGRESS", "IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"]);
    expect(duplicateStatus).toBe("SUCCEEDED");
    expect(emulator.state().assignments).toHaveLength(1);
  });

  it("throttles over the configured rate and counts reads and writes apart", async () => {
    emulator.faults.setThrottle({ identityStore: 2 });

    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        identityStore.send(new ListUsersCommand({ IdentityStoreId: IdentityStoreId() })),
      ),
    );

    expect(results.filter((result) => result.status === "rejected")).toHaveLength(3);
    expect(results.find((result) => result.status === "rejected")).toMatchObject({
      reason: { name: "ThrottlingException" },
    });
    expect(emulator.counts()).toMatchObject({ reads: 5, writes: 0, throttled: 3 });
  });

  it("throttles the identity store APIs together: one rate for every operation, not one each", async () => {
    emulator.faults.setThrottle({ identityStore: 2 });

    const results = await Promise.allSettled([
      identityStore.send(new ListUsersCommand({ IdentityStoreId: IdentityStoreId() })),
      identityStore.send(new ListGroupsCommand({ IdentityStoreId: IdentityStoreId() })),
      identityStore.send(
        new GetUserIdCommand({
          IdentityStoreId: IdentityStoreId(),
          AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: "nobody" } },
        }),
      ),
      identityStore.send(new CreateUserCommand({ IdentityStoreId: IdentityStoreId(), ...newUser("a") })),
    ]);

    const throttled = results.filter(
      (result) => result.status === "rejected" && (result.reason as Error).name === "ThrottlingException",
    );
    expect(throttled).toHaveLength(2);
    expect(emulator.counts().throttled).toBe(2);
  });

  /** A group holding one user, assigned Developer in 111111111111: ready to be taken apart. */
  async function aGroupInUse() {
    const { UserId } = await identityStore.send(
      new CreateUserCommand({ IdentityStoreId: IdentityStoreId(), ...newUser("member@example.com") }),
    );
    const { GroupId } = await identityStore.send(
      new CreateGroupCommand({ IdentityStoreId: IdentityStoreId(), DisplayName: "kaigodx" }),
    );
    await identityStore.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId: IdentityStoreId(),
        GroupId,
        MemberId: { UserId: UserId! },
      }),
    );
    const assignment = {
      InstanceArn: emulator.instanceArn,
      TargetId: "111111111111",
      TargetType: "AWS_ACCOUNT" as const,
      PermissionSetArn: "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0000000000000001",
      PrincipalType: "GROUP" as const,
      PrincipalId: GroupId!,
    };
    emulator.faults.asyncPolls = 0;
    const started = await ssoAdmin.send(new CreateAccountAssignmentCommand(assignment));
    await ssoAdmin.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: emulator.instanceArn,
        AccountAssignmentCreationRequestId: started.AccountAssignmentCreationStatus?.RequestId,
      }),
    );
    return { GroupId: GroupId!, assignment };
  }

  it("deletes a group without a word about its memberships and assignments, and leaves them behind", async () => {
    const { GroupId } = await aGroupInUse();

    await identityStore.send(new DeleteGroupCommand({ IdentityStoreId: IdentityStoreId(), GroupId }));

    expect(emulator.state().groups).toEqual([]);
    expect(emulator.leftovers()).toMatchObject({
      memberships: [{ GroupId }],
      assignments: [{ principalId: GroupId }],
    });
  });

  it("refuses to delete a permission set while an assignment uses it, even one whose deletion is still in progress", async () => {
    const { assignment } = await aGroupInUse();
    const deletePermissionSet = () =>
      ssoAdmin.send(
        new DeletePermissionSetCommand({
          InstanceArn: emulator.instanceArn,
          PermissionSetArn: assignment.PermissionSetArn,
        }),
      );

    await expect(deletePermissionSet()).rejects.toMatchObject({
      name: "ConflictException",
      message: expect.stringContaining(
        "Could not delete because PermissionSet has ApplicationProfile associated with it",
      ),
    });
    emulator.faults.asyncPolls = 1;
    const deleting = await ssoAdmin.send(new DeleteAccountAssignmentCommand(assignment));
    await expect(deletePermissionSet()).rejects.toMatchObject({ name: "ConflictException" });
    const poll = () =>
      ssoAdmin.send(
        new DescribeAccountAssignmentDeletionStatusCommand({
          InstanceArn: emulator.instanceArn,
          AccountAssignmentDeletionRequestId: deleting.AccountAssignmentDeletionStatus?.RequestId,
        }),
      );
    await poll();
    expect((await poll()).AccountAssignmentDeletionStatus?.Status).toBe("SUCCEEDED");

    await deletePermissionSet();

    const listed = await ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: emulator.instanceArn }));
    expect(listed.PermissionSets).toEqual([]);
  });

  it("returns the ExternalIds a SCIM provisioner set", async () => {
    await emulator.close();
    emulator = await startAwsEmulator({
      state: {
        users: [
          {
            id: "9067000000-00000001-0000-4000-8000-000000000000",
            userName: "scim@example.com",
            displayName: "Scim User",
            givenName: "Scim",
            familyName: "User",
            email: "scim@example.com",
            externalIds: [{ issuer: "https://scim.example/issuer", id: "ext-1" }],
          },
        ],
        groups: [],
        permissionSets: [],
        assignments: [],
      },
    });
    identityStore.destroy();
    ssoAdmin.destroy();
    ({ identityStore, ssoAdmin } = clientsFor(emulator));

    const listed = await identityStore.send(new ListUsersCommand({ IdentityStoreId: IdentityStoreId() }));

    expect(listed.Users?.[0]?.ExternalIds).toEqual([{ Issuer: "https://scim.example/issuer", Id: "ext-1" }]);
  });
});

describe("the emulated Identity Center instance", () => {
  it("is described with its identity store and status, ACTIVE unless told, and an unknown one is not found", async () => {
    const creating = await startAwsEmulator({ instanceStatus: "CREATE_IN_PROGRESS" });
    const active = await startAwsEmulator();
    const clients = [clientsFor(creating), clientsFor(active)];
    try {
      const [creatingAdmin, activeAdmin] = clients.map((client) => client.ssoAdmin) as [
        SSOAdminClient,
        SSOAdminClient,
      ];
      expect(
        await activeAdmin.send(new DescribeInstanceCommand({ InstanceArn: active.instanceArn })),
      ).toMatchObject({
        InstanceArn: active.instanceArn,
        IdentityStoreId: active.identityStoreId,
        Status: "ACTIVE",
      });
      expect(
        (await creatingAdmin.send(new DescribeInstanceCommand({ InstanceArn: creating.instanceArn }))).Status,
      ).toBe("CREATE_IN_PROGRESS");
      expect((await creatingAdmin.send(new ListInstancesCommand({}))).Instances?.[0]?.Status).toBe(
        "CREATE_IN_PROGRESS",
      );
      await expect(
        activeAdmin.send(
          new DescribeInstanceCommand({ InstanceArn: "arn:aws:sso:::instance/ssoins-0000000000000000" }),
        ),
      ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      await expect(
        activeAdmin.send(new DescribeInstanceCommand({ InstanceArn: "not-an-arn" })),
      ).rejects.toMatchObject({ name: "ValidationException" });
    } finally {
      for (const client of clients) for (const each of Object.values(client)) each.destroy();
      await creating.close();
      await active.close();
    }
  });
});
