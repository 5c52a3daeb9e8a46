import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListPoliciesCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  UpdatePolicyCommand,
} from "@aws-sdk/client-organizations";
import { afterEach, describe, expect, it } from "vitest";
import { anOrganization } from "../../integration/aws/harness.js";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "./emulator.js";
import { documentedScpQuotas, policyDocumentSize } from "./organizations-policies.js";

const rootId = "r-ab12";
const workloadsOu = "ou-ab12-11111111";
const devAccount = "222222222222";
const managementAccount = "111111111111";
const SCP = "SERVICE_CONTROL_POLICY" as const;

let emulator: AwsEmulator;
const clients: OrganizationsClient[] = [];

async function start(options: AwsEmulatorOptions = {}): Promise<OrganizationsClient> {
  emulator = await startAwsEmulator({
    organization: anOrganization(),
    ...options,
    organizationPolicies: { managementAccountId: managementAccount, ...options.organizationPolicies },
  });
  return clientAs("AKIDMANAGEMENT");
}

function clientAs(accessKeyId: string): OrganizationsClient {
  const client = new OrganizationsClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId, secretAccessKey: "emulator-secret" },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await emulator.close();
});

/** A minified deny on Identity Store user ids, padded with ids until it is exactly `size` bytes. */
function denyDocument(size: number): string {
  const head =
    '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"identitystore:userId":["';
  const tail = '"]}}}]}';
  return `${head}${"a".repeat(size - head.length - tail.length)}${tail}`;
}

const policyNamed = (name: string, content = denyDocument(200)) =>
  new CreatePolicyCommand({ Name: name, Description: "idc-sync revocations", Type: SCP, Content: content });

describe("AWS Organizations service control policies in the emulator, through the real SDK", () => {
  it("refuses to attach until SCPs are enabled in the root, then attaches FullAWSAccess everywhere", async () => {
    const organizations = await start();
    const created = await organizations.send(policyNamed("idc-sync-revoke-1"));
    const attach = () =>
      organizations.send(
        new AttachPolicyCommand({ PolicyId: created.Policy!.PolicySummary!.Id!, TargetId: devAccount }),
      );

    await expect(attach()).rejects.toMatchObject({ name: "PolicyTypeNotEnabledException" });
    expect((await organizations.send(new ListRootsCommand({}))).Roots![0]!.PolicyTypes).toEqual([]);

    const enabled = await organizations.send(
      new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP }),
    );
    await attach();
    const onAccount = await organizations.send(
      new ListPoliciesForTargetCommand({ TargetId: devAccount, Filter: SCP }),
    );
    const onOu = await organizations.send(
      new ListPoliciesForTargetCommand({ TargetId: workloadsOu, Filter: SCP }),
    );

    expect(enabled.Root!.PolicyTypes).toEqual([{ Type: SCP, Status: "ENABLED" }]);
    expect(onAccount.Policies!.map((policy) => policy.Name).sort()).toEqual([
      "FullAWSAccess",
      "idc-sync-revoke-1",
    ]);
    expect(onOu.Policies!.map((policy) => [policy.Name, policy.AwsManaged])).toEqual([
      ["FullAWSAccess", true],
    ]);
    await expect(
      organizations.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP })),
    ).rejects.toMatchObject({ name: "PolicyTypeAlreadyEnabledException" });
  });

  it("counts the document as stored, whitespace included, against the 5,120 limit", async () => {
    const organizations = await start();
    const fits = denyDocument(5_120);
    const ids = Array.from(
      { length: 95 },
      (_, index) => `${String(index).padStart(4, "0")}a1b2c3-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901`,
    );
    const minified = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Action: "*",
          Resource: "*",
          Condition: { StringEquals: { "identitystore:userId": ids } },
        },
      ],
    });
    const indented = JSON.stringify(JSON.parse(minified), null, 2);

    const created = await organizations.send(policyNamed("exactly-at-the-limit", fits));
    await organizations.send(policyNamed("minified", minified));

    expect(policyDocumentSize(minified)).toBeLessThanOrEqual(5_120);
    expect(policyDocumentSize(indented)).toBeGreaterThan(5_120);
    expect(created.Policy!.Content).toBe(fits);
    await expect(organizations.send(policyNamed("one-byte-over", denyDocument(5_121)))).rejects.toMatchObject(
      {
        name: "ConstraintViolationException",
        Reason: "POLICY_CONTENT_LIMIT_EXCEEDED",
      },
    );
    await expect(organizations.send(policyNamed("indented", indented))).rejects.toMatchObject({
      Reason: "POLICY_CONTENT_LIMIT_EXCEEDED",
    });
    await expect(
      // 5,120 characters but 5,121 UTF-8 bytes: the stricter count (bytes) refuses it.
      organizations.send(policyNamed("non-ascii", denyDocument(5_120).replace("a", "é"))),
    ).rejects.toMatchObject({ Reason: "POLICY_CONTENT_LIMIT_EXCEEDED" });
  });

  it("follows the current quota page (10,240 characters, 10 per target) when asked to", async () => {
    const organizations = await start({
      organizationPolicies: { quotas: documentedScpQuotas.current, scpEnabled: true },
    });

    const big = await organizations.send(policyNamed("big", denyDocument(10_240)));
    for (let index = 0; index < 9; index += 1) {
      const created = await organizations.send(policyNamed(`p${index}`));
      await organizations.send(
        new AttachPolicyCommand({ PolicyId: created.Policy!.PolicySummary!.Id!, TargetId: rootId }),
      );
    }

    expect(big.Policy!.Content).toHaveLength(10_240);
    await expect(
      organizations.send(
        new AttachPolicyCommand({ PolicyId: big.Policy!.PolicySummary!.Id!, TargetId: rootId }),
      ),
    ).rejects.toMatchObject({ Reason: "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" });
  });

  it("allows five SCPs per target, FullAWSAccess included", async () => {
    const organizations = await start({ organizationPolicies: { scpEnabled: true } });
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const created = await organizations.send(policyNamed(`revoke-${index}`));
      ids.push(created.Policy!.PolicySummary!.Id!);
    }
    for (const id of ids.slice(0, 4)) {
      await organizations.send(new AttachPolicyCommand({ PolicyId: id, TargetId: devAccount }));
    }

    const fifth = organizations.send(new AttachPolicyCommand({ PolicyId: ids[4], TargetId: devAccount }));
    await expect(fifth).rejects.toMatchObject({
      name: "ConstraintViolationException",
      Reason: "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
    });
    await expect(
      organizations.send(new AttachPolicyCommand({ PolicyId: ids[0], TargetId: devAccount })),
    ).rejects.toMatchObject({ name: "DuplicatePolicyAttachmentException" });
    await organizations.send(new AttachPolicyCommand({ PolicyId: ids[4], TargetId: workloadsOu }));
    const targets = await organizations.send(new ListTargetsForPolicyCommand({ PolicyId: ids[0] }));
    expect(targets.Targets).toEqual([
      expect.objectContaining({ TargetId: devAccount, Type: "ACCOUNT", Name: "dev" }),
    ]);
  });

  it("keeps at least one SCP on every target and refuses to delete an attached policy", async () => {
    const organizations = await start({ organizationPolicies: { scpEnabled: true } });
    const created = await organizations.send(policyNamed("revoke"));
    const id = created.Policy!.PolicySummary!.Id!;
    await organizations.send(new AttachPolicyCommand({ PolicyId: id, TargetId: devAccount }));

    await expect(
      organizations.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: workloadsOu })),
    ).rejects.toMatchObject({ Reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" });
    await expect(organizations.send(new DeletePolicyCommand({ PolicyId: id }))).rejects.toMatchObject({
      name: "PolicyInUseException",
    });
    await expect(
      organizations.send(new DetachPolicyCommand({ PolicyId: id, TargetId: workloadsOu })),
    ).rejects.toMatchObject({ name: "PolicyNotAttachedException" });

    await organizations.send(new DetachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: devAccount }));
    await expect(
      organizations.send(new DetachPolicyCommand({ PolicyId: id, TargetId: devAccount })),
    ).rejects.toMatchObject({ Reason: "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED" });
    await organizations.send(new AttachPolicyCommand({ PolicyId: "p-FullAWSAccess", TargetId: devAccount }));
    await organizations.send(new DetachPolicyCommand({ PolicyId: id, TargetId: devAccount }));
    await organizations.send(new DeletePolicyCommand({ PolicyId: id }));
    await expect(organizations.send(new DescribePolicyCommand({ PolicyId: id }))).rejects.toMatchObject({
      name: "PolicyNotFoundException",
    });
    await expect(
      organizations.send(new DeletePolicyCommand({ PolicyId: "p-FullAWSAccess" })),
    ).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
  });

  it("updates content and name with the same checks, leaving the policy unchanged on refusal", async () => {
    const organizations = await start();
    const first = await organizations.send(policyNamed("first"));
    await organizations.send(policyNamed("second"));
    const id = first.Policy!.PolicySummary!.Id!;

    await expect(
      organizations.send(new UpdatePolicyCommand({ PolicyId: id, Content: denyDocument(5_121) })),
    ).rejects.toMatchObject({ Reason: "POLICY_CONTENT_LIMIT_EXCEEDED" });
    await expect(
      organizations.send(new UpdatePolicyCommand({ PolicyId: id, Name: "second" })),
    ).rejects.toMatchObject({
      name: "DuplicatePolicyException",
    });
    await expect(
      organizations.send(
        new UpdatePolicyCommand({ PolicyId: id, Content: '{"Statement":[{"Effect":"Maybe"}]}' }),
      ),
    ).rejects.toMatchObject({ name: "MalformedPolicyDocumentException" });
    const updated = await organizations.send(
      new UpdatePolicyCommand({ PolicyId: id, Content: denyDocument(300), Description: "rotated" }),
    );

    expect(updated.Policy).toMatchObject({
      PolicySummary: { Id: id, Name: "first", Description: "rotated", AwsManaged: false },
      Content: denyDocument(300),
    });
    expect(updated.Policy!.PolicySummary!.Arn).toMatch(
      new RegExp(
        `^arn:aws:organizations::${managementAccount}:policy/o-[a-z0-9]+/service_control_policy/${id}$`,
      ),
    );
  });

  it("lists policies twenty at a time", async () => {
    const organizations = await start();
    for (let index = 0; index < 24; index += 1) await organizations.send(policyNamed(`policy-${index}`));

    const first = await organizations.send(new ListPoliciesCommand({ Filter: SCP }));
    const second = await organizations.send(
      new ListPoliciesCommand({ Filter: SCP, NextToken: first.NextToken }),
    );

    expect(first.Policies).toHaveLength(20);
    expect(second.Policies).toHaveLength(5);
    expect(second.NextToken).toBeUndefined();
  });

  it("answers only the management account and delegated administrators", async () => {
    const organizations = await start({ organizationPolicies: { callers: { AKIDMEMBER: devAccount } } });
    const member = clientAs("AKIDMEMBER");

    await expect(member.send(policyNamed("from-member"))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    await expect(member.send(new ListRootsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
    const described = await member.send(new DescribeOrganizationCommand({}));
    expect(described.Organization!.MasterAccountId).toBe(managementAccount);

    emulator.organizationPolicies.delegatePolicyManagement(devAccount);
    await member.send(policyNamed("from-delegated-admin"));
    await organizations.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP }));

    emulator.organizationPolicies.setManagementAccount("999999999999");
    await expect(organizations.send(new ListRootsCommand({}))).resolves.toBeDefined();
    emulator.organizationPolicies.setCaller("AKIDMANAGEMENT", managementAccount);
    await expect(organizations.send(new ListRootsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
  });

  it("knows SCPs do not reach the management account, and disabling SCPs detaches them all", async () => {
    const organizations = await start({ organizationPolicies: { scpEnabled: true } });
    const created = await organizations.send(policyNamed("revoke"));
    await organizations.send(
      new AttachPolicyCommand({ PolicyId: created.Policy!.PolicySummary!.Id!, TargetId: rootId }),
    );

    expect(emulator.organizationPolicies.policiesInForce("333333333333")).toHaveLength(2);
    expect(emulator.organizationPolicies.policiesInForce(managementAccount)).toEqual([]);

    await organizations.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP }));
    expect(emulator.organizationPolicies.policiesInForce("333333333333")).toEqual([]);
    await expect(
      organizations.send(new DisablePolicyTypeCommand({ RootId: rootId, PolicyType: SCP })),
    ).rejects.toMatchObject({ name: "PolicyTypeNotEnabledException" });
  });
});
