import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cachedGoogleSecret, parseGoogleSecret } from "../../src/handlers/google-secret.js";
import { ConfigurationError } from "../../src/sync/errors.js";

const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:idc-sync/google-AbCdEf";
const key = {
  type: "service_account",
  client_email: "idc-sync@project.iam.gserviceaccount.com",
  private_key: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
};

/**
 * A one-secret Secrets Manager speaking the service's JSON protocol, so the real SDK client is what the
 * tests exercise. `respond` decides each answer; `requests` counts what reached it.
 */
class TinySecretsManager {
  requests: { target: string; body: Record<string, unknown> }[] = [];
  respond: (secretId: unknown) => { status: number; body: unknown } = () => ({ status: 500, body: {} });
  private server: Server | undefined;

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk) => {
        text += chunk;
      });
      request.on("end", () => {
        const body = JSON.parse(text || "{}") as Record<string, unknown>;
        this.requests.push({ target: String(request.headers["x-amz-target"]), body });
        const answer = this.respond(body.SecretId);
        response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1" });
        response.end(JSON.stringify(answer.body));
      });
    });
    this.server = server;
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((done) => this.server?.close(done));
  }
}

describe("the Google credentials secret", () => {
  let secrets: TinySecretsManager;
  let client: SecretsManagerClient;

  beforeEach(async () => {
    secrets = new TinySecretsManager();
    const endpoint = await secrets.start();
    client = new SecretsManagerClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    client.destroy();
    await secrets.stop();
  });

  it("is read with GetSecretValue once per container and then answered from memory", async () => {
    secrets.respond = () => ({
      status: 200,
      body: {
        ARN: secretArn,
        Name: "idc-sync/google",
        SecretString: JSON.stringify({ serviceAccountKey: key, adminEmail: "admin@example.com" }),
      },
    });
    const read = cachedGoogleSecret(client, secretArn);

    const first = await read();
    const second = await read();

    expect(first).toEqual({ key, adminEmail: "admin@example.com" });
    expect(second).toBe(first);
    expect(secrets.requests).toEqual([
      { target: "secretsmanager.GetSecretValue", body: { SecretId: secretArn } },
    ]);
  });

  it("does not keep a failed read, so the next invocation tries again", async () => {
    secrets.respond = () => ({
      status: 400,
      body: {
        __type: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret.",
      },
    });
    const read = cachedGoogleSecret(client, secretArn);

    await expect(read()).rejects.toThrow(ConfigurationError);
    await expect(read()).rejects.toThrow(/can't find the specified secret.*googleSecretArn parameter/);
    secrets.respond = () => ({
      status: 200,
      body: {
        ARN: secretArn,
        SecretString: JSON.stringify({ serviceAccountKey: JSON.stringify(key), adminEmail: "a@example.com" }),
      },
    });
    expect(await read()).toEqual({ key: JSON.stringify(key), adminEmail: "a@example.com" });
    expect(secrets.requests).toHaveLength(3);
  });

  it("names every problem of a malformed secret without echoing the key", () => {
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

  it("says what a secret should look like when it is not JSON", () => {
    expect(() => parseGoogleSecret("service account key here", secretArn)).toThrow(/is not JSON.*adminEmail/);
  });
});
