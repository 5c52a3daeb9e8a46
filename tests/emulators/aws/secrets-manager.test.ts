import {
  GetSecretValueCommand,
  ListSecretsCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SecretsManagerEmulator } from "./secrets-manager.js";

describe("the Secrets Manager emulator, through the SDK client", () => {
  let emulator: SecretsManagerEmulator;
  let client: SecretsManagerClient;

  beforeEach(async () => {
    emulator = new SecretsManagerEmulator();
    client = new SecretsManagerClient({
      endpoint: await emulator.start(),
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    client.destroy();
    await emulator.stop();
  });

  it("answers GetSecretValue by name or by ARN with the current version's text", async () => {
    const arn = emulator.put("idc-sync/slack", "https://hooks.slack.com/services/T/B/x");
    emulator.put("idc-sync/slack", "https://hooks.slack.com/services/T/B/rotated");

    const byName = await client.send(new GetSecretValueCommand({ SecretId: "idc-sync/slack" }));
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: arn }));

    expect(byName).toMatchObject({
      ARN: arn,
      Name: "idc-sync/slack",
      VersionId: "version-2",
      VersionStages: ["AWSCURRENT"],
      SecretString: "https://hooks.slack.com/services/T/B/rotated",
    });
    expect(byName.CreatedDate).toBeInstanceOf(Date);
    expect(byArn.SecretString).toBe(byName.SecretString);
  });

  it("carries a binary secret as SecretBinary and no SecretString", async () => {
    emulator.put("idc-sync/bytes", new Uint8Array([1, 2, 3]));

    const answer = await client.send(new GetSecretValueCommand({ SecretId: "idc-sync/bytes" }));

    expect(answer.SecretString).toBeUndefined();
    expect([...(answer.SecretBinary ?? [])]).toEqual([1, 2, 3]);
  });

  it("answers ResourceNotFoundException for a secret it does not hold", async () => {
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: "idc-sync/none" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("refuses what it does not emulate rather than guess", async () => {
    await expect(client.send(new ListSecretsCommand({}))).rejects.toMatchObject({
      name: "UnknownOperationException",
    });
    expect(emulator.requests.map((request) => request.target)).toEqual(["secretsmanager.ListSecrets"]);
  });
});
