import {
  CreateUserCommand,
  DescribeUserCommand,
  type IdentitystoreClient,
  ListUsersCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-identitystore";
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  ListPermissionSetsCommand,
  PutInlinePolicyToPermissionSetCommand,
  type SSOAdminClient,
} from "@aws-sdk/client-sso-admin";
import { afterEach, describe, expect, it } from "vitest";
import { clientsFor } from "../../integration/aws/harness.js";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "./emulator.js";

describe("the AWS emulator checks input as the API references constrain it", () => {
  let emulator: AwsEmulator;
  let identityStore: IdentitystoreClient;
  let ssoAdmin: SSOAdminClient;

  const start = async (options: AwsEmulatorOptions = {}) => {
    emulator = await startAwsEmulator(options);
    ({ identityStore, ssoAdmin } = clientsFor(emulator));
  };
  afterEach(async () => {
    identityStore?.destroy();
    ssoAdmin?.destroy();
    await emulator?.close();
  });

  const aUser = async (userName = "alice@example.com") => {
    const { UserId } = await identityStore.send(
      new CreateUserCommand({
        IdentityStoreId: emulator.identityStoreId,
        UserName: userName,
        DisplayName: "Alice Example",
        Name: { GivenName: "Alice", FamilyName: "Example" },
        Emails: [{ Value: userName, Type: "work", Primary: true }],
      }),
    );
    return UserId!;
  };
  const aPermissionSet = async (name = "Developer") => {
    const { PermissionSet } = await ssoAdmin.send(
      new CreatePermissionSetCommand({ InstanceArn: emulator.instanceArn, Name: name }),
    );
    return PermissionSet!.PermissionSetArn!;
  };
  const updateEmails = (UserId: string, AttributeValue: unknown, AttributePath = "emails") =>
    identityStore.send(
      new UpdateUserCommand({
        IdentityStoreId: emulator.identityStoreId,
        UserId,
        Operations: [{ AttributePath, AttributeValue: AttributeValue as never }],
      }),
    );

  describe("UpdateUser's emails", () => {
    it("replaces them from SCIM-named sub-attributes, handed back in the Email shape", async () => {
      await start();
      const userId = await aUser();

      await updateEmails(userId, [{ value: "alice.new@example.com", type: "work", primary: true }]);

      const described = await identityStore.send(
        new DescribeUserCommand({ IdentityStoreId: emulator.identityStoreId, UserId: userId }),
      );
      expect(described.Emails).toEqual([{ Value: "alice.new@example.com", Type: "work", Primary: true }]);
    });

    it("refuses the SDK's member names in the document: Value, Type, Primary", async () => {
      await start();
      const userId = await aUser();

      await expect(
        updateEmails(userId, [{ Value: "alice.new@example.com", Type: "work", Primary: true }]),
      ).rejects.toMatchObject({ name: "ValidationException", message: expect.stringMatching(/'Value'/) });
    });

    it("refuses a partial update, a second address and attribute paths not spelt as the reference does", async () => {
      await start();
      const userId = await aUser();

      await expect(updateEmails(userId, "x@example.com", "emails[0].value")).rejects.toMatchObject({
        name: "ValidationException",
      });
      await expect(updateEmails(userId, { value: "x@example.com" })).rejects.toMatchObject({
        name: "ValidationException",
        message: expect.stringMatching(/full replacement/),
      });
      await expect(
        updateEmails(userId, [
          { value: "a@example.com", primary: true },
          { value: "b@example.com", primary: false },
        ]),
      ).rejects.toMatchObject({ name: "ValidationException" });
      await expect(updateEmails(userId, "Alice", "DisplayName")).rejects.toMatchObject({
        name: "ValidationException",
      });
    });
  });

  it("accepts an identity store id of either documented form and refuses anything else", async () => {
    await start({ identityStoreId: "9a5c8f14-2b6e-4d1f-8c3a-0e7b6d5f4a21" });

    await expect(
      identityStore.send(new ListUsersCommand({ IdentityStoreId: emulator.identityStoreId })),
    ).resolves.toMatchObject({ Users: [] });
    await expect(
      identityStore.send(new ListUsersCommand({ IdentityStoreId: "d-12345" })),
    ).rejects.toMatchObject({ name: "ValidationException" });
    await expect(
      identityStore.send(new ListUsersCommand({ IdentityStoreId: "d-0123456789" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  describe("permission sets", () => {
    it("refuses a description outside Latin-1 (a typographic dash or quote) and takes the ASCII one", async () => {
      await start();
      const create = (Description: string) =>
        ssoAdmin.send(
          new CreatePermissionSetCommand({ InstanceArn: emulator.instanceArn, Name: "Ops", Description }),
        );

      await expect(create("Operators – production")).rejects.toMatchObject({
        name: "ValidationException",
        message: expect.stringMatching(/regular expression pattern/),
      });
      await expect(create("Operators’ access")).rejects.toMatchObject({ name: "ValidationException" });
      await expect(create("Operators - production, café")).resolves.toBeDefined();
    });

    it("refuses tags whose key or value leaves the documented character set or length", async () => {
      await start();
      const create = (Key: string, Value: string) =>
        ssoAdmin.send(
          new CreatePermissionSetCommand({
            InstanceArn: emulator.instanceArn,
            Name: "Tagged",
            Tags: [{ Key, Value }],
          }),
        );

      await expect(create("team#1", "platform")).rejects.toMatchObject({ name: "ValidationException" });
      await expect(create("team", "platform!")).rejects.toMatchObject({ name: "ValidationException" });
      await expect(create("k".repeat(129), "v")).rejects.toMatchObject({ name: "ValidationException" });
      await expect(create("team", "v".repeat(257))).rejects.toMatchObject({ name: "ValidationException" });
      await expect(create("cost:centre/Ops", "CC-1 @Tokyo")).resolves.toBeDefined();
    });

    it("holds at most 20 AWS managed and customer managed policies", async () => {
      await start();
      const arn = await aPermissionSet();
      const attach = (name: string) =>
        ssoAdmin.send(
          new AttachManagedPolicyToPermissionSetCommand({
            InstanceArn: emulator.instanceArn,
            PermissionSetArn: arn,
            ManagedPolicyArn: `arn:aws:iam::aws:policy/${name}`,
          }),
        );
      for (let index = 0; index < 20; index++) await attach(`Policy${index}`);

      await expect(attach("OneTooMany")).rejects.toMatchObject({ name: "ServiceQuotaExceededException" });
    });

    it("takes an inline policy of up to 10,240 bytes that are not white space, however it is indented", async () => {
      await start();
      const arn = await aPermissionSet();
      const put = (InlinePolicy: string) =>
        ssoAdmin.send(
          new PutInlinePolicyToPermissionSetCommand({
            InstanceArn: emulator.instanceArn,
            PermissionSetArn: arn,
            InlinePolicy,
          }),
        );
      // {"Version":"2012-10-17","Statement":[{"Sid":"...","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}
      const policyOf = (sidLength: number, indent: string) =>
        `{${indent}"Version":"2012-10-17",${indent}"Statement":[{${indent}"Sid":"${"S".repeat(sidLength)}","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`;
      const frame = policyOf(0, "").length;

      await expect(put(policyOf(10_240 - frame, "\n        "))).resolves.toBeDefined();
      await expect(put(policyOf(10_241 - frame, ""))).rejects.toMatchObject({
        name: "ValidationException",
        message: expect.stringMatching(/10241 bytes that are not white space/),
      });
      await expect(put(`{"Sid":"${"é".repeat(10)}","Statement":"\u2013"}`)).rejects.toMatchObject({
        name: "ValidationException",
      });
    });

    it("assigns one permission set to at most 100 groups in one account", async () => {
      const groups = Array.from({ length: 101 }, (_, index) => ({
        id: `9067a1b2c3-0000-4000-8000-${String(index).padStart(12, "0")}`,
        displayName: `group-${index}`,
        members: [],
      }));
      await start({
        state: {
          users: [],
          groups,
          permissionSets: [
            {
              arn: "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0000000000000001",
              name: "Developer",
              sessionDuration: "PT1H",
              managedPolicyArns: [],
              customerManagedPolicies: [],
              tags: {},
              provisionedAccountIds: ["111111111111", "222222222222"],
            },
          ],
          assignments: groups.slice(0, 100).map((group) => ({
            principalType: "GROUP" as const,
            principalName: group.displayName,
            permissionSetName: "Developer",
            accountId: "111111111111",
          })),
        },
      });
      const assign = (TargetId: string) =>
        ssoAdmin.send(
          new CreateAccountAssignmentCommand({
            InstanceArn: emulator.instanceArn,
            PermissionSetArn: "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0000000000000001",
            PrincipalType: "GROUP",
            PrincipalId: groups[100]!.id,
            TargetType: "AWS_ACCOUNT",
            TargetId,
          }),
        );

      await expect(assign("111111111111")).rejects.toMatchObject({ name: "ServiceQuotaExceededException" });
      await expect(assign("222222222222")).resolves.toBeDefined();
    });
  });

  describe("partitions", () => {
    it("accepts instance ARNs of every partition and both instance id forms, and refuses malformed ones", async () => {
      await start({ instanceArn: "arn:aws-us-gov:sso:::instance/ins-0a1B2c3D4e5F6a7b" });
      const list = (InstanceArn: string) => ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn }));

      await expect(list(emulator.instanceArn)).resolves.toBeDefined();
      await expect(list("arn:aws-cn:sso:::instance/ssoins-0123456789abcdef")).rejects.toMatchObject({
        name: "ResourceNotFoundException",
      });
      await expect(list("arn:aws:sso:::instance/ssoins-0123")).rejects.toMatchObject({
        name: "ValidationException",
      });
      await expect(list("arn:azure:sso:::instance/ssoins-0123456789abcdef")).rejects.toMatchObject({
        name: "ValidationException",
      });
    });

    it("attaches AWS managed policies of the instance's own partition only", async () => {
      await start({ instanceArn: "arn:aws-us-gov:sso:::instance/ssoins-0123456789abcdef" });
      const arn = await aPermissionSet();
      const attach = (ManagedPolicyArn: string) =>
        ssoAdmin.send(
          new AttachManagedPolicyToPermissionSetCommand({
            InstanceArn: emulator.instanceArn,
            PermissionSetArn: arn,
            ManagedPolicyArn,
          }),
        );

      expect(arn).toMatch(/^arn:aws-us-gov:sso:::permissionSet\/ssoins-0123456789abcdef\/ps-/);
      await expect(attach("arn:aws:iam::aws:policy/ReadOnlyAccess")).rejects.toMatchObject({
        name: "ValidationException",
      });
      await expect(attach("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess")).resolves.toBeDefined();
    });
  });
});
