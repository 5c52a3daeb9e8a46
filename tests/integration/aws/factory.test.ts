import { afterEach, describe, expect, it, vi } from "vitest";
import { createAwsAccountDirectory, createAwsIdentityCenter } from "../../../src/adapters/aws/factory.js";
import { type AwsEmulator, startAwsEmulator } from "../../emulators/aws/emulator.js";
import { anOrganization, aScope, aUser } from "./harness.js";

describe("building the AWS adapters from the SDK's standard environment", () => {
  let emulator: AwsEmulator;
  afterEach(async () => {
    // vi.stubEnv changes are undone here, so nothing leaks to other tests.
    vi.unstubAllEnvs();
    await emulator.close();
  });

  const pointSdkAt = (url: string): void => {
    vi.stubEnv("AWS_ENDPOINT_URL", url);
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "emulator-secret");
    vi.stubEnv("AWS_PROFILE", "");
  };

  it("discovers the instance when the rules name none and reads through AWS_ENDPOINT_URL", async () => {
    emulator = await startAwsEmulator({
      state: { users: [aUser("alice")], groups: [], permissionSets: [], assignments: [] },
    });
    pointSdkAt(emulator.url);
    const calls: string[] = [];

    const identityCenter = await createAwsIdentityCenter({
      onCall: (service, operation) => calls.push(`${service}:${operation}`),
    });
    const state = await identityCenter.readState(aScope());

    expect(identityCenter.instanceArn).toBe(emulator.instanceArn);
    expect(identityCenter.identityStoreId).toBe(emulator.identityStoreId);
    expect(state.users.map((user) => user.userName)).toEqual(["alice@example.com"]);
    expect(calls[0]).toBe("sso-admin:ListInstances");
  });

  it("refuses a discovered instance outside the partition the rules expanded policy names into", async () => {
    emulator = await startAwsEmulator({
      instanceArn: "arn:aws-us-gov:sso:::instance/ssoins-7907a1b2c3d4e5f6",
    });
    pointSdkAt(emulator.url);

    await expect(createAwsIdentityCenter({ managedPolicyPartition: "aws" })).rejects.toThrow(
      /is in the partition aws-us-gov, but the rules name no instance.*set identityCenter\.instanceArn/,
    );
    const inGovCloud = await createAwsIdentityCenter({ managedPolicyPartition: "aws-us-gov" });
    expect(inGovCloud.instanceArn).toBe(emulator.instanceArn);
  });

  it("uses the instance the rules name without asking ListInstances", async () => {
    emulator = await startAwsEmulator({ instanceCount: 2 });
    pointSdkAt(emulator.url);

    const identityCenter = await createAwsIdentityCenter({
      instanceArn: emulator.instanceArn,
      identityStoreId: emulator.identityStoreId,
    });
    await identityCenter.readState(aScope());

    expect(emulator.count("sso-admin", "ListInstances")).toBe(0);
  });

  it("lists accounts through a default Organizations client", async () => {
    emulator = await startAwsEmulator({ organization: anOrganization() });
    pointSdkAt(emulator.url);

    const accounts = await createAwsAccountDirectory({
      limits: { organizationsPerSecond: 1_000 },
    }).listAccounts();

    expect(accounts.map((account) => account.id)).toEqual([
      "111111111111",
      "222222222222",
      "333333333333",
      "444444444444",
    ]);
  });
});
