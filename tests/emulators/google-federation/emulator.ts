/**
 * Google's side of keyless access from AWS: the Security Token Service token exchange of Workload Identity
 * Federation (an AWS-signed GetCallerIdentity request for a federated access token) and the IAM Service
 * Account Credentials `signJwt` method (the service account's Google-managed key signs the
 * domain-wide-delegation JWT). Together with the Directory emulator's OAuth token endpoint this is the
 * whole keyless chain: AWS role → federated token → signed JWT → Directory access token.
 *
 * Pages followed:
 * - STS `v1/token` (cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token): form fields
 *   `grantType` "urn:ietf:params:oauth:grant-type:token-exchange", `audience`, `scope`,
 *   `requestedTokenType` "urn:ietf:params:oauth:token-type:access_token", `subjectToken`,
 *   `subjectTokenType` "urn:ietf:params:aws:token-type:aws4_request"; the answer's `access_token`,
 *   `issued_token_type`, `token_type` "Bearer", `expires_in`; errors as `{error, error_description}`.
 * - Workload Identity Federation with AWS (cloud.google.com/iam/docs/workload-identity-federation-with-other-clouds):
 *   the subject token is "a serialized, signed GetCallerIdentity request" to the regional STS endpoint, a
 *   JSON `{url, method: "POST", headers: [{key, value}]}` URL-encoded, whose headers carry
 *   `x-goog-cloud-target-resource`: the provider's full resource name. Google verifies it by sending it to
 *   AWS; here the request's SigV4 signature is checked against the caller's secret (the stricter local
 *   equivalent: a request AWS would refuse is refused).
 * - signJwt (cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/signJwt):
 *   `POST v1/projects/-/serviceAccounts/{EMAIL}:signJwt` ("The - wildcard character is required"), body
 *   `{"payload": string}` "a serialized JSON object that contains a JWT Claims Set", an `exp` "not in the
 *   past and no more than 12 hours in the future"; "requires the following IAM permission ...
 *   iam.serviceAccounts.signJwt" (roles/iam.serviceAccountTokenCreator); answers `{keyId, signedJwt}`.
 *   Errors follow the Google JSON error shape (`{error: {code, message, status}}`).
 */
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";

/** An AWS principal whose signed GetCallerIdentity requests the emulated AWS would accept. */
export interface EmulatedAwsCaller {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** What GetCallerIdentity answers: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
  arn: string;
}

export interface GoogleFederationEmulatorOptions {
  /** `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/R`. */
  audience: string;
  callers: EmulatedAwsCaller[];
  /** The service account whose Google-managed key signs JWTs. */
  serviceAccountEmail: string;
  /**
   * AWS role ARNs (`arn:aws:iam::ACCOUNT:role/NAME`) whose federated principals hold
   * roles/iam.serviceAccountTokenCreator on the service account (the principalSet binding of the setup).
   */
  tokenCreatorRoles: string[];
}

export interface GoogleFederationEmulator {
  /** The STS token URL to configure (`.../v1/token`). */
  stsUrl: string;
  /** The IAM Service Account Credentials root (`.../`), before `v1/projects/-/serviceAccounts/...`. */
  iamCredentialsUrl: string;
  /** The service account key's public half, for the Directory emulator's delegation. */
  publicKeyPem: string;
  /** Requests per path. */
  requests(): Record<string, number>;
  close(): Promise<void>;
}

const grantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
const awsSubjectTokenType = "urn:ietf:params:aws:token-type:aws4_request";
const accessTokenType = "urn:ietf:params:oauth:token-type:access_token";
/** signJwt: "no more than 12 hours in the future". */
const maxJwtLifetimeSeconds = 12 * 3600;

export async function startGoogleFederationEmulator(
  options: GoogleFederationEmulatorOptions,
): Promise<GoogleFederationEmulator> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyId = randomBytes(20).toString("hex");
  /** Federated access token → the AWS caller ARN it was issued to. */
  const federated = new Map<string, string>();
  const counts = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://emulator");
    const path = decodeURIComponent(url.pathname);
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const body = await readBody(req);
    if (req.method === "POST" && url.pathname === "/v1/token") return exchangeToken(body, res);
    const signJwt = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/:]+):signJwt$/.exec(url.pathname);
    if (req.method === "POST" && signJwt) {
      return signJwtFor(decodeURIComponent(signJwt[1]!), decodeURIComponent(signJwt[2]!), req, body, res);
    }
    return googleError(res, 404, "NOT_FOUND", `${req.method} ${url.pathname} is not a method of this API`);
  };

  async function exchangeToken(body: string, res: ServerResponse): Promise<void> {
    // STS accepts the form in camelCase (the reference) and snake_case (RFC 8693, what client libraries send).
    const form = new URLSearchParams(body);
    const field = (camel: string, snake: string) => form.get(camel) ?? form.get(snake) ?? "";
    const refuse = (error: string, description: string) =>
      sendJson(res, 400, { error, error_description: description });
    if (field("grantType", "grant_type") !== grantTypeTokenExchange)
      return refuse("invalid_request", "Invalid grant type.");
    if (field("requestedTokenType", "requested_token_type") !== accessTokenType)
      return refuse("invalid_request", "Invalid requested token type.");
    if (field("subjectTokenType", "subject_token_type") !== awsSubjectTokenType)
      return refuse("invalid_request", "Invalid subject token type.");
    if (field("audience", "audience") !== options.audience)
      return refuse("invalid_target", "The target service indicated by the audience parameter is invalid.");
    const caller = await verifyAwsSubjectToken(field("subjectToken", "subject_token"));
    if ("error" in caller) return refuse("invalid_grant", caller.error);
    const token = `ya29.federated-${randomBytes(16).toString("hex")}`;
    federated.set(token, caller.arn);
    return sendJson(res, 200, {
      access_token: token,
      issued_token_type: accessTokenType,
      token_type: "Bearer",
      expires_in: 3600,
    });
  }

  /** The serialized GetCallerIdentity request, checked as AWS STS and Google STS would. */
  async function verifyAwsSubjectToken(subjectToken: string): Promise<{ arn: string } | { error: string }> {
    let request: { url?: string; method?: string; headers?: { key: string; value: string }[] };
    try {
      request = JSON.parse(decodeURIComponent(subjectToken));
    } catch {
      return { error: "The subject token is not a serialized AWS request." };
    }
    const headers = new Map((request.headers ?? []).map(({ key, value }) => [key.toLowerCase(), value]));
    if (headers.get("x-goog-cloud-target-resource") !== options.audience)
      return { error: "The x-goog-cloud-target-resource header does not match the audience." };
    let url: URL;
    try {
      url = new URL(request.url ?? "");
    } catch {
      return { error: "The AWS request has no valid URL." };
    }
    const region = /^sts\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
    if (
      request.method !== "POST" ||
      url.protocol !== "https:" ||
      !region ||
      url.searchParams.get("Action") !== "GetCallerIdentity" ||
      url.searchParams.get("Version") !== "2011-06-15"
    ) {
      return { error: "The AWS request must be a POST of GetCallerIdentity to a regional STS endpoint." };
    }
    const authorization = headers.get("authorization") ?? "";
    const credential = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/sts\/aws4_request/.exec(authorization);
    const caller = options.callers.find((candidate) => candidate.accessKeyId === credential?.[1]);
    if (!credential || !caller) return { error: "The AWS request is signed by an unknown access key." };
    if (caller.sessionToken !== undefined && headers.get("x-amz-security-token") !== caller.sessionToken)
      return { error: "The security token included in the AWS request is invalid." };
    const signedHeaderNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(";") ?? [];
    const amzDate = headers.get("x-amz-date") ?? "";
    // Re-sign what was signed, at the time it was signed, with the caller's secret: AWS's own check.
    const signer = new SignatureV4({
      service: "sts",
      region,
      credentials: {
        accessKeyId: caller.accessKeyId,
        secretAccessKey: caller.secretAccessKey,
        ...(caller.sessionToken ? { sessionToken: caller.sessionToken } : {}),
      },
      sha256: NodeSha256,
      applyChecksum: false,
    });
    const signedHeaders = Object.fromEntries(
      signedHeaderNames.filter((name) => headers.has(name)).map((name) => [name, headers.get(name)!]),
    );
    const expected = await signer.sign(
      {
        method: "POST",
        protocol: "https:",
        hostname: url.hostname,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...signedHeaders, host: url.host },
      },
      { signingDate: parseAmzDate(amzDate), signableHeaders: new Set(signedHeaderNames) },
    );
    const expectedSignature = /Signature=([0-9a-f]+)/.exec(String(expected.headers.authorization))?.[1];
    const givenSignature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
    if (!expectedSignature || expectedSignature !== givenSignature) {
      return {
        error:
          "The request signature we calculated does not match the signature you provided (AWS SignatureDoesNotMatch).",
      };
    }
    return { arn: caller.arn };
  }

  function signJwtFor(
    project: string,
    account: string,
    req: IncomingMessage,
    body: string,
    res: ServerResponse,
  ) {
    if (project !== "-")
      return googleError(
        res,
        400,
        "INVALID_ARGUMENT",
        "The - wildcard character is required for the project.",
      );
    const principal = federated.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
    if (!principal)
      return googleError(res, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    const role = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(principal);
    const roleArn = role ? `arn:aws:iam::${role[1]}:role/${role[2]}` : "";
    if (account !== options.serviceAccountEmail || !options.tokenCreatorRoles.includes(roleArn)) {
      return googleError(
        res,
        403,
        "PERMISSION_DENIED",
        `Permission 'iam.serviceAccounts.signJwt' denied on resource (or it may not exist).`,
      );
    }
    let payload: Record<string, unknown>;
    try {
      const parsed = JSON.parse(JSON.parse(body).payload);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      payload = parsed;
    } catch {
      return googleError(res, 400, "INVALID_ARGUMENT", "Invalid JWT payload: it must be a JSON object.");
    }
    const now = Math.floor(Date.now() / 1000);
    if (payload.exp !== undefined) {
      if (
        !Number.isInteger(payload.exp) ||
        (payload.exp as number) < now ||
        (payload.exp as number) > now + maxJwtLifetimeSeconds
      )
        return googleError(res, 400, "INVALID_ARGUMENT", "The exp claim must be in the next 12 hours.");
    }
    const header = { alg: "RS256", typ: "JWT", kid: keyId };
    const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = sign("RSA-SHA256", Buffer.from(unsigned), privateKey).toString("base64url");
    return sendJson(res, 200, { keyId, signedJwt: `${unsigned}.${signature}` });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) googleError(res, 500, "INTERNAL", String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const root = `http://127.0.0.1:${port}/`;
  return {
    stsUrl: `${root}v1/token`,
    iamCredentialsUrl: root,
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    requests: () => Object.fromEntries(counts),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The `HashConstructor` SignatureV4 takes, over node:crypto (HMAC when given a secret). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** `20260102T030405Z` → a Date. */
function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d, h, mi, s));
}

function base64url(text: string): string {
  return Buffer.from(text).toString("base64url");
}

function googleError(res: ServerResponse, code: number, status: string, message: string): void {
  sendJson(res, code, { error: { code, message, status } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
