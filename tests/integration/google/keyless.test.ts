/**
 * Keyless Google end to end, over real HTTP: AWS credentials sign a GetCallerIdentity request that the
 * emulated Google STS verifies and exchanges for a federated token (google-auth-library's AwsClient); the
 * federated token has the emulated IAM Credentials API sign the domain-wide-delegation JWT with the service
 * account's Google-managed key; the Directory emulator's token endpoint checks that JWT against the key's
 * public half and the delegation granted in the Admin console, and the directory is read with the answer.
 * No private key is ever handed to idc-sync.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGoogleDirectorySource } from "../../../src/adapters/google/create-google-directory-source.js";
import { googleDirectoryScopes } from "../../../src/adapters/google/google-directory-source.js";
import { idcSync } from "../../cli/cli-harness.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../../emulators/google-directory/emulator.js";
import {
  type GoogleFederationEmulator,
  startGoogleFederationEmulator,
} from "../../emulators/google-federation/emulator.js";
import { aRequest, sampleSnapshot, sourceFor } from "./google-test-kit.js";

const provider = "projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/idc-sync";
const serviceAccount = "idc-sync@acme-idc.iam.gserviceaccount.com";
const admin = "admin@example.com";
/** The Lambda function's role, as its temporary credentials (the environment Lambda sets). */
const lambdaRole = {
  accessKeyId: "ASIAEXAMPLELAMBDA001",
  secretAccessKey: "lambda-role-secret",
  sessionToken: "lambda-role-session-token",
  arn: "arn:aws:sts::210987654321:assumed-role/idc-sync-prod-eu-central-1-lambdaRole/idc-sync-prod-sync",
};
const otherRole = {
  accessKeyId: "ASIAEXAMPLEOTHER0001",
  secretAccessKey: "other-role-secret",
  arn: "arn:aws:sts::210987654321:assumed-role/someone-else/session",
};

let federation: GoogleFederationEmulator;
let directory: GoogleDirectoryEmulator;

beforeAll(async () => {
  federation = await startGoogleFederationEmulator({
    audience: `//iam.googleapis.com/${provider}`,
    callers: [lambdaRole, otherRole],
    serviceAccountEmail: serviceAccount,
    tokenCreatorRoles: ["arn:aws:iam::210987654321:role/idc-sync-prod-eu-central-1-lambdaRole"],
  });
  directory = await startGoogleDirectoryEmulator({
    snapshot: sampleSnapshot(),
    accessToken: "delegated-directory-token",
    delegation: {
      clientEmail: serviceAccount,
      publicKeyPem: federation.publicKeyPem,
      scopes: [...googleDirectoryScopes],
      admins: [admin],
    },
  });
});

afterAll(async () => {
  await federation?.close();
  await directory?.close();
});

function keylessEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    GOOGLE_WORKLOAD_IDENTITY_PROVIDER: provider,
    GOOGLE_SERVICE_ACCOUNT: serviceAccount,
    GOOGLE_ADMIN_EMAIL: admin,
    AWS_REGION: "eu-central-1",
    AWS_ACCESS_KEY_ID: lambdaRole.accessKeyId,
    AWS_SECRET_ACCESS_KEY: lambdaRole.secretAccessKey,
    AWS_SESSION_TOKEN: lambdaRole.sessionToken,
    IDC_SYNC_GOOGLE_ROOT_URL: directory.url,
    IDC_SYNC_GOOGLE_STS_URL: federation.stsUrl,
    IDC_SYNC_GOOGLE_IAM_CREDENTIALS_URL: federation.iamCredentialsUrl,
    IDC_SYNC_GOOGLE_TOKEN_URL: `${directory.url}token`,
    ...overrides,
  };
}

function sourceWith(env: Record<string, string>) {
  return createGoogleDirectorySource(env, {
    requestsPerSecond: 10_000,
    backoff: { baseMs: 1, maxMs: 4 },
    sleep: async () => {},
    maxAttempts: 2,
  });
}

describe("keyless Google: the AWS role, Workload Identity Federation and signJwt", () => {
  it("reads the directory as the admin with a JWT signed by the service account's Google-managed key", async () => {
    const result = await sourceWith(keylessEnv()).readDirectory(aRequest());
    const withStaticToken = await sourceFor(directory).source.readDirectory(aRequest());
    expect(result.users.length).toBeGreaterThan(0);
    expect(result).toEqual(withStaticToken);
    // One exchange, one signature, one token for the whole read: the token is reused until it expires.
    expect(federation.requests()).toEqual({
      "/v1/token": 1,
      [`/v1/projects/-/serviceAccounts/${serviceAccount}:signJwt`]: 1,
    });
  });

  it("snapshots the directory with the command and no key anywhere in its environment", async () => {
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-keyless-"));
    try {
      const out = join(folder, "directory.yaml");
      const run = await idcSync(
        [
          "snapshot",
          "directory",
          "--out",
          out,
          "--rules",
          "examples/rules.yaml",
          "--source",
          "google",
          "--accounts",
          "none",
        ],
        { env: keylessEnv() },
      );
      expect(run.stderr).toMatch(/^Wrote \d+ users/);
      expect(run.exitCode).toBe(0);
      expect(await readFile(out, "utf8")).toContain("primaryEmail:");
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("says what to check when Google's STS refuses the AWS signature", async () => {
    const read = sourceWith(keylessEnv({ AWS_SECRET_ACCESS_KEY: "not-the-role-secret" })).readDirectory(
      aRequest(),
    );
    await expect(read).rejects.toThrow(
      /Security Token Service refused this AWS identity for projects\/123456789012\/.*SignatureDoesNotMatch/s,
    );
  });

  it("says which role to grant when the AWS role may not sign as the service account", async () => {
    const read = sourceWith(
      keylessEnv({
        AWS_ACCESS_KEY_ID: otherRole.accessKeyId,
        AWS_SECRET_ACCESS_KEY: otherRole.secretAccessKey,
        AWS_SESSION_TOKEN: "",
      }),
    ).readDirectory(aRequest());
    await expect(read).rejects.toThrow(
      /refused to sign the delegation JWT as idc-sync@acme-idc\.iam\.gserviceaccount\.com \(403.*roles\/iam\.serviceAccountTokenCreator/s,
    );
  });

  it("reports a subject the delegation does not cover as the delegation problem it is", async () => {
    const read = sourceWith(keylessEnv({ GOOGLE_ADMIN_EMAIL: "someone@example.com" })).readDirectory(
      aRequest(),
    );
    await expect(read).rejects.toThrow(/invalid_grant/);
  });

  it("names every missing keyless setting at once", () => {
    expect(() =>
      createGoogleDirectorySource({ GOOGLE_WORKLOAD_IDENTITY_PROVIDER: "my-pool/my-provider" }),
    ).toThrow(
      /GOOGLE_WORKLOAD_IDENTITY_PROVIDER in the form projects\/NUMBER\/.*'my-pool\/my-provider'.*GOOGLE_SERVICE_ACCOUNT .*GOOGLE_ADMIN_EMAIL .*AWS_REGION/s,
    );
  });
});
