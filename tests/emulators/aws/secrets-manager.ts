/**
 * AWS Secrets Manager, as much as idc-sync reads of it: `secretsmanager.GetSecretValue` over the AWS JSON
 * 1.1 protocol (X-Amz-Target), so tests exercise the real SDK client and Powertools' SecretsProvider
 * over the wire. `put` stores a new version, as a rotation does; `requests` lists what reached it.
 *
 * Behaviour follows the Secrets Manager API Reference, GetSecretValue
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html):
 * - "Retrieves the contents of the encrypted fields SecretString or SecretBinary from the specified
 *   version of a secret, whichever contains content": the answer carries exactly one of them, with ARN,
 *   Name, VersionId, VersionStages ["AWSCURRENT"] and CreatedDate (epoch seconds, as JSON 1.1 sends it).
 * - SecretId is "The ARN or name of the secret", required, 1 to 2048 characters: either finds it; a
 *   missing or empty one is a ValidationException.
 * - ResourceNotFoundException: "Secrets Manager can't find the resource that you asked for."
 * Where the docs are silent the emulator is strict: any other operation is UnknownOperationException.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface StoredSecret {
  arn: string;
  name: string;
  versions: number;
  value: { SecretString: string } | { SecretBinary: string };
  createdAt: number;
}

export class SecretsManagerEmulator {
  readonly requests: { target: string; body: Record<string, unknown> }[] = [];
  private readonly secrets = new Map<string, StoredSecret>();
  private server: Server | undefined;
  /** Answers every request with this error instead, while set (an outage, a denied role). */
  failWith: { status: number; type: string; message: string } | undefined;

  /** Stores `text` (or bytes) as the secret's new current version; the ARN ends in `-` and six characters, as AWS names them. */
  put(name: string, value: string | Uint8Array): string {
    const existing = this.secrets.get(name);
    const arn = existing?.arn ?? `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    this.secrets.set(name, {
      arn,
      name,
      versions: (existing?.versions ?? 0) + 1,
      value:
        typeof value === "string"
          ? { SecretString: value }
          : { SecretBinary: Buffer.from(value).toString("base64") },
      createdAt: Math.floor(Date.now() / 1000),
    });
    return arn;
  }

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk) => {
        text += chunk;
      });
      request.on("end", () => {
        const target = String(request.headers["x-amz-target"]);
        const body = JSON.parse(text || "{}") as Record<string, unknown>;
        this.requests.push({ target, body });
        const answer = this.answer(target, body);
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

  private answer(target: string, body: Record<string, unknown>): { status: number; body: unknown } {
    if (this.failWith) {
      return {
        status: this.failWith.status,
        body: { __type: this.failWith.type, message: this.failWith.message },
      };
    }
    if (target !== "secretsmanager.GetSecretValue") {
      return error("UnknownOperationException", `${target} is not emulated`);
    }
    const id = body.SecretId;
    if (typeof id !== "string" || id.length < 1 || id.length > 2048) {
      return error(
        "ValidationException",
        "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length between 1 and 2048",
      );
    }
    const secret = [...this.secrets.values()].find(
      (candidate) => candidate.arn === id || candidate.name === id,
    );
    if (!secret)
      return error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return {
      status: 200,
      body: {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: `version-${secret.versions}`,
        VersionStages: ["AWSCURRENT"],
        CreatedDate: secret.createdAt,
        ...secret.value,
      },
    };
  }
}

function error(type: string, message: string): { status: number; body: unknown } {
  return { status: 400, body: { __type: type, message } };
}
