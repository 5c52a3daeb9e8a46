import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  googleCredentialsSecret,
  parseGoogleSecret,
  parseSlackWebhookSecret,
  secretMaxAgeSeconds,
  slackWebhookSecret,
} from "../../../src/handlers/secrets.js";
import { ConfigurationError } from "../../../src/sync/errors.js";
import { SecretsManagerEmulator } from "../../emulators/aws/secrets-manager.js";

const key = {
  type: "service_account",
  client_email: "idc-sync@project.iam.gserviceaccount.com",
  private_key: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
};
const googleSecretText = (adminEmail: string) => JSON.stringify({ serviceAccountKey: key, adminEmail });

describe("the Lambda's secrets, read through Powertools from Secrets Manager", () => {
  let secretsManager: SecretsManagerEmulator;
  let client: SecretsManagerClient;
  let provider: SecretsProvider;

  beforeEach(async () => {
    secretsManager = new SecretsManagerEmulator();
    const endpoint = await secretsManager.start();
    client = new SecretsManagerClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
      maxAttempts: 1,
    });
    provider = new SecretsProvider({ awsSdkV3Client: client });
  });
  afterEach(async () => {
    vi.useRealTimers();
    client.destroy();
    await secretsManager.stop();
  });

  it("reads the Google secret once, then answers from memory while it is younger than five minutes", async () => {
    const arn = secretsManager.put("idc-sync/google", googleSecretText("admin@example.com"));
    const read = googleCredentialsSecret(provider, arn);

    const first = await read();
    const second = await read();

    expect(first).toEqual({ key, adminEmail: "admin@example.com" });
    expect(second).toEqual(first);
    expect(secretsManager.requests).toEqual([
      { target: "secretsmanager.GetSecretValue", body: { SecretId: arn } },
    ]);
  });

  it("picks up a rotated secret once the cached value is older than the max age", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const arn = secretsManager.put("idc-sync/google", googleSecretText("old-admin@example.com"));
    const read = googleCredentialsSecret(provider, arn);
    expect((await read()).adminEmail).toBe("old-admin@example.com");

    secretsManager.put("idc-sync/google", googleSecretText("new-admin@example.com"));
    vi.advanceTimersByTime((secretMaxAgeSeconds - 1) * 1000);
    const beforeMaxAge = await read();
    vi.advanceTimersByTime(2000);
    const afterMaxAge = await read();

    expect(beforeMaxAge.adminEmail).toBe("old-admin@example.com");
    expect(afterMaxAge.adminEmail).toBe("new-admin@example.com");
    expect(secretsManager.requests).toHaveLength(2);
  });

  it("does not keep a failed read, so the next invocation tries again", async () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:idc-sync/google-AbCdEf";
    const read = googleCredentialsSecret(provider, arn);

    await expect(read()).rejects.toThrow(ConfigurationError);
    await expect(read()).rejects.toThrow(/can't find the specified secret.*googleSecretArn parameter/);
    secretsManager.put(
      "idc-sync/google",
      JSON.stringify({ serviceAccountKey: JSON.stringify(key), adminEmail: "a@example.com" }),
    );

    expect(await read()).toEqual({ key: JSON.stringify(key), adminEmail: "a@example.com" });
    expect(secretsManager.requests).toHaveLength(3);
  });

  it("says a binary secret should be stored as text", async () => {
    const arn = secretsManager.put(
      "idc-sync/slack",
      new TextEncoder().encode("https://hooks.slack.com/services/T/B/x"),
    );

    await expect(slackWebhookSecret(provider, arn)()).rejects.toThrow(/no SecretString.*as text, not binary/);
  });

  it("reads the Slack webhook as the URL itself or as {webhookUrl}", async () => {
    const plain = secretsManager.put("idc-sync/slack", "https://hooks.slack.com/services/T/B/x\n");
    const wrapped = secretsManager.put(
      "idc-sync/slack-json",
      '{"webhookUrl": "https://hooks.slack.com/services/T/B/y"}',
    );

    expect(await slackWebhookSecret(provider, plain)()).toBe("https://hooks.slack.com/services/T/B/x");
    expect(await slackWebhookSecret(provider, wrapped)()).toBe("https://hooks.slack.com/services/T/B/y");
  });

  it("names the Slack secret when it cannot be read", async () => {
    secretsManager.failWith = { status: 400, type: "AccessDeniedException", message: "not allowed" };

    await expect(slackWebhookSecret(provider, "idc-sync/slack")()).rejects.toThrow(
      /cannot read the Slack webhook secret idc-sync\/slack: not allowed/,
    );
  });
});

describe("the secrets' text", () => {
  const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:idc-sync/google-AbCdEf";

  it("names every problem of a malformed Google secret without echoing the key", () => {
    const text = JSON.stringify({
      serviceAccountKey: { private_key: "SECRET-MATERIAL" },
      adminEmail: "not-an-email",
    });

    const attempt = () => parseGoogleSecret(text, secretArn);

    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/serviceAccountKey/);
    expect(attempt).toThrow(/adminEmail/);
    expect(attempt).not.toThrow(/SECRET-MATERIAL/);
  });

  it("says what a Google secret should look like when it is not JSON", () => {
    expect(() => parseGoogleSecret("service account key here", secretArn)).toThrow(/is not JSON.*adminEmail/);
  });

  it("refuses a Slack secret that is not an https URL", () => {
    expect(() => parseSlackWebhookSecret("hooks.slack.com/x", "idc-sync/slack")).toThrow(
      /not a Slack webhook URL/,
    );
  });
});
