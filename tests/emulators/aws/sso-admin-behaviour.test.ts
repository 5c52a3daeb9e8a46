/**
 * sso-admin behaviours of the AWS emulator that real organisations hit (issue #12): who may call what,
 * driven through the real SDK client.
 */
import {
  AttachManagedPolicyToPermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetProvisioningStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ProvisionPermissionSetCommand,
  type SSOAdminClient,
} from "@aws-sdk/client-sso-admin";
import { afterEach, describe, expect, it } from "vitest";
import type { IdentityCenterState } from "../../../src/sync/model.js";
import { anOrganization, aStoredPermissionSet, aUser, clientsFor } from "../../integration/aws/harness.js";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "./emulator.js";

const alice = aUser("alice");
const developer = aStoredPermissionSet("Developer");
const auditor = aStoredPermissionSet("Auditor", { provisionedAccountIds: ["222222222222"] });
const seed: IdentityCenterState = {
  users: [alice],
  groups: [],
  permissionSets: [developer, auditor],
  assignments: [
    {
      principalType: "USER",
      principalName: alice.userName,
      permissionSetName: "Developer",
      accountId: "222222222222",
    },
  ],
};
/** The member account registered as Identity Center's delegated administrator in these tests. */
const delegatedAdministrator = "555555555555";

describe("the AWS emulator's sso-admin, by who calls it", () => {
  let emulator: AwsEmulator;
  let ssoAdmin: SSOAdminClient;

  const start = async (options: AwsEmulatorOptions = {}) => {
    emulator = await startAwsEmulator({ state: seed, ...options });
    ({ ssoAdmin } = clientsFor(emulator));
  };
  afterEach(async () => {
    ssoAdmin.destroy();
    await emulator.close();
  });

  const listForAlice = () =>
    ssoAdmin.send(
      new ListAccountAssignmentsForPrincipalCommand({
        InstanceArn: emulator.instanceArn,
        PrincipalType: "USER",
        PrincipalId: alice.id,
      }),
    );

  it("lists a principal's assignments for the management account", async () => {
    await start();

    const listed = await listForAlice();

    expect(listed.AccountAssignments).toEqual([
      expect.objectContaining({ AccountId: "222222222222", PrincipalId: alice.id }),
    ]);
  });

  it("refuses ListAccountAssignmentsForPrincipal to the delegated administrator, but not ListAccountAssignments", async () => {
    // The harness signs with AKIDEXAMPLE: make that key the delegated administrator's.
    await start({
      identityCenterDelegatedAdministrator: delegatedAdministrator,
      organizationPolicies: { callers: { AKIDEXAMPLE: delegatedAdministrator } },
    });

    await expect(listForAlice()).rejects.toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    const perAccount = await ssoAdmin.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: emulator.instanceArn,
        AccountId: "222222222222",
        PermissionSetArn: developer.arn,
      }),
    );
    expect(perAccount.AccountAssignments).toHaveLength(1);
  });

  it("answers ConflictException to writes while a provisioning updates the permission set or the account, and not after", async () => {
    await start({ asyncPolls: 1 });
    const provision = (permissionSetArn: string) =>
      ssoAdmin.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: emulator.instanceArn,
          PermissionSetArn: permissionSetArn,
          TargetType: "AWS_ACCOUNT",
          TargetId: "222222222222",
        }),
      );
    const attach = () =>
      ssoAdmin.send(
        new AttachManagedPolicyToPermissionSetCommand({
          InstanceArn: emulator.instanceArn,
          PermissionSetArn: developer.arn,
          ManagedPolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
        }),
      );
    const started = await provision(developer.arn);

    await expect(attach()).rejects.toMatchObject({ name: "ConflictException" });
    // One IAM role per account updated at a time: another permission set into the same account waits too.
    await expect(provision(auditor.arn)).rejects.toMatchObject({ name: "ConflictException" });
    const poll = () =>
      ssoAdmin.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn: emulator.instanceArn,
          ProvisionPermissionSetRequestId: started.PermissionSetProvisioningStatus?.RequestId,
        }),
      );
    await poll();
    expect((await poll()).PermissionSetProvisioningStatus?.Status).toBe("SUCCEEDED");

    await attach();
    await provision(auditor.arn);
  });

  it("reports the accounts a changed permission set has not reached as LATEST_PERMISSION_SET_NOT_PROVISIONED until a provisioning does", async () => {
    await start({
      asyncPolls: 0,
      state: {
        ...seed,
        permissionSets: [{ ...developer, provisionedAccountIds: ["111111111111", "222222222222"] }, auditor],
      },
    });
    const listed = async (
      status?: "LATEST_PERMISSION_SET_PROVISIONED" | "LATEST_PERMISSION_SET_NOT_PROVISIONED",
    ) =>
      (
        await ssoAdmin.send(
          new ListAccountsForProvisionedPermissionSetCommand({
            InstanceArn: emulator.instanceArn,
            PermissionSetArn: developer.arn,
            ...(status ? { ProvisioningStatus: status } : {}),
          }),
        )
      ).AccountIds;
    const provisionTo = async (accountId: string) => {
      const started = await ssoAdmin.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: emulator.instanceArn,
          PermissionSetArn: developer.arn,
          TargetType: "AWS_ACCOUNT",
          TargetId: accountId,
        }),
      );
      return ssoAdmin.send(
        new DescribePermissionSetProvisioningStatusCommand({
          InstanceArn: emulator.instanceArn,
          ProvisionPermissionSetRequestId: started.PermissionSetProvisioningStatus?.RequestId,
        }),
      );
    };
    expect(await listed("LATEST_PERMISSION_SET_NOT_PROVISIONED")).toEqual([]);

    await ssoAdmin.send(
      new AttachManagedPolicyToPermissionSetCommand({
        InstanceArn: emulator.instanceArn,
        PermissionSetArn: developer.arn,
        ManagedPolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
      }),
    );
    expect(await listed("LATEST_PERMISSION_SET_NOT_PROVISIONED")).toEqual(["111111111111", "222222222222"]);
    emulator.faults.failProvisioning = ({ accountId }) =>
      accountId === "111111111111" ? "Internal failure" : undefined;
    expect((await provisionTo("111111111111")).PermissionSetProvisioningStatus?.Status).toBe("FAILED");
    expect((await provisionTo("222222222222")).PermissionSetProvisioningStatus?.Status).toBe("SUCCEEDED");

    expect(await listed("LATEST_PERMISSION_SET_NOT_PROVISIONED")).toEqual(["111111111111"]);
    expect(await listed("LATEST_PERMISSION_SET_PROVISIONED")).toEqual(["222222222222"]);
    expect(await listed()).toEqual(["111111111111", "222222222222"]);
  });

  it("fails provisioning and assignment changes in a suspended account, and a provisioning to all accounts that includes one", async () => {
    // anOrganization(): 444444444444 is SUSPENDED, 222222222222 ACTIVE.
    await start({
      asyncPolls: 0,
      organization: anOrganization(),
      state: {
        ...seed,
        permissionSets: [{ ...developer, provisionedAccountIds: ["222222222222", "444444444444"] }, auditor],
        assignments: [
          ...seed.assignments,
          {
            principalType: "USER",
            principalName: alice.userName,
            permissionSetName: "Developer",
            accountId: "444444444444",
          },
        ],
      },
    });
    const provision = async (
      target: { TargetType: "AWS_ACCOUNT"; TargetId: string } | { TargetType: "ALL_PROVISIONED_ACCOUNTS" },
    ) => {
      const started = await ssoAdmin.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: emulator.instanceArn,
          PermissionSetArn: developer.arn,
          ...target,
        }),
      );
      return (
        await ssoAdmin.send(
          new DescribePermissionSetProvisioningStatusCommand({
            InstanceArn: emulator.instanceArn,
            ProvisionPermissionSetRequestId: started.PermissionSetProvisioningStatus?.RequestId,
          }),
        )
      ).PermissionSetProvisioningStatus;
    };
    const refusal = expect.stringContaining(
      "Obtaining permissions to manage your AWS account '444444444444'",
    );

    expect(await provision({ TargetType: "AWS_ACCOUNT", TargetId: "444444444444" })).toMatchObject({
      Status: "FAILED",
      FailureReason: refusal,
    });
    expect(await provision({ TargetType: "ALL_PROVISIONED_ACCOUNTS" })).toMatchObject({ Status: "FAILED" });
    expect(await provision({ TargetType: "AWS_ACCOUNT", TargetId: "222222222222" })).toMatchObject({
      Status: "SUCCEEDED",
    });
    const deleting = await ssoAdmin.send(
      new DeleteAccountAssignmentCommand({
        InstanceArn: emulator.instanceArn,
        TargetId: "444444444444",
        TargetType: "AWS_ACCOUNT",
        PermissionSetArn: developer.arn,
        PrincipalType: "USER",
        PrincipalId: alice.id,
      }),
    );
    const deletion = await ssoAdmin.send(
      new DescribeAccountAssignmentDeletionStatusCommand({
        InstanceArn: emulator.instanceArn,
        AccountAssignmentDeletionRequestId: deleting.AccountAssignmentDeletionStatus?.RequestId,
      }),
    );
    expect(deletion.AccountAssignmentDeletionStatus).toMatchObject({
      Status: "FAILED",
      FailureReason: refusal,
    });
    expect(emulator.state().assignments.filter((entry) => entry.accountId === "444444444444")).toHaveLength(
      1,
    );
  });
});
