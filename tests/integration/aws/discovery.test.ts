import { afterEach, describe, expect, it } from "vitest";
import { discoverInstance } from "../../../src/adapters/aws/discover-instance.js";
import { ConfigurationError } from "../../../src/sync/errors.js";
import { type AwsEmulator, startAwsEmulator } from "../../emulators/aws/emulator.js";
import { clientsFor } from "./harness.js";

describe("discovering the Identity Center instance", () => {
  let emulator: AwsEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it("returns the instance ARN and identity store id when there is exactly one instance", async () => {
    emulator = await startAwsEmulator();
    const { ssoAdmin } = clientsFor(emulator);

    const instance = await discoverInstance(ssoAdmin);

    expect(instance).toEqual({
      instanceArn: emulator.instanceArn,
      identityStoreId: emulator.identityStoreId,
    });
    expect(emulator.count("sso-admin", "ListInstances")).toBe(1);
  });

  it("says to check the region when there is no instance", async () => {
    emulator = await startAwsEmulator({ instanceCount: 0 });
    const { ssoAdmin } = clientsFor(emulator);

    const discovery = discoverInstance(ssoAdmin);

    await expect(discovery).rejects.toBeInstanceOf(ConfigurationError);
    await expect(discovery).rejects.toThrow(/no IAM Identity Center instance.*AWS_REGION/);
  });

  it("asks the rules to name one when there are two", async () => {
    emulator = await startAwsEmulator({ instanceCount: 2 });
    const { ssoAdmin } = clientsFor(emulator);

    await expect(discoverInstance(ssoAdmin)).rejects.toThrow(
      /2 IAM Identity Center instances.*identityCenter.instanceArn/,
    );
  });
});
