/**
 * Builds the Google directory source from configuration: a service-account key with domain-wide
 * delegation, the admin to act as, and (for local testing only) an emulator URL and a static token.
 */
import { readFileSync } from "node:fs";
import { admin } from "@googleapis/admin";
import { JWT, OAuth2Client } from "google-auth-library";
import { ConfigurationError } from "../../sync/errors.js";
import { fetchWithDeadline } from "../http-deadline.js";
import {
  GoogleDirectorySource,
  type GoogleDirectorySourceOptions,
  googleDirectoryScopes,
} from "./google-directory-source.js";
import { keylessDelegatedClient } from "./keyless-delegation.js";

/** The environment variables read by `createGoogleDirectorySource`. */
export const googleEnvironment = {
  /** Path of the service-account key file (JSON). */
  keyFile: "GOOGLE_APPLICATION_CREDENTIALS",
  /** The service-account key JSON itself (for CI secrets). Wins over the file. */
  keyJson: "GOOGLE_CREDENTIALS_JSON",
  /** The admin the service account acts as (the JWT subject). */
  adminEmail: "GOOGLE_ADMIN_EMAIL",
  /** Local testing only: the API root, e.g. the emulator's `http://127.0.0.1:8081/`. */
  rootUrl: "IDC_SYNC_GOOGLE_ROOT_URL",
  /** Local testing only: a static bearer token used instead of the service-account flow. */
  accessToken: "IDC_SYNC_GOOGLE_ACCESS_TOKEN",
  /**
   * Keyless: the workload identity pool provider the AWS identity is exchanged at,
   * `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`.
   */
  workloadIdentityProvider: "GOOGLE_WORKLOAD_IDENTITY_PROVIDER",
  /** Keyless: the service account with domain-wide delegation whose Google-managed key signs the JWT. */
  serviceAccount: "GOOGLE_SERVICE_ACCOUNT",
  /** Local testing only: Google's STS token URL, IAM Credentials root and OAuth token URL. */
  stsUrl: "IDC_SYNC_GOOGLE_STS_URL",
  iamCredentialsUrl: "IDC_SYNC_GOOGLE_IAM_CREDENTIALS_URL",
  tokenUrl: "IDC_SYNC_GOOGLE_TOKEN_URL",
} as const;

/** Credentials handed over directly, e.g. read by the Lambda from Secrets Manager. */
export interface GoogleCredentials {
  /** The service-account key: its JSON text or the parsed object. */
  key: string | ServiceAccountKey;
  /** The admin to act as (the JWT subject). */
  adminEmail: string;
}

/** The fields of a service-account key file that the JWT flow needs. */
export interface ServiceAccountKey {
  type?: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  client_id?: string;
  project_id?: string;
}

export type GoogleDirectorySourceOverrides = Partial<Omit<GoogleDirectorySourceOptions, "client">> & {
  /** Wins over the key variables (GOOGLE_ADMIN_EMAIL is still read when `adminEmail` is empty). */
  credentials?: GoogleCredentials;
};

/** The auth client and API root the source will use; exported so callers can inspect or reuse them. */
export interface GoogleClientSettings {
  auth: JWT | OAuth2Client;
  /** Undefined means Google's own `https://admin.googleapis.com/`. */
  rootUrl?: string;
}

/**
 * Creates the source from `env` (pass `process.env`; tests pass a plain object). Credentials, first
 * match wins:
 * 1. `IDC_SYNC_GOOGLE_ACCESS_TOKEN`: for local testing only (the emulator); a static bearer token.
 * 2. `overrides.credentials`: key and admin given by the caller (the Lambda, from Secrets Manager).
 * 3. Keyless: `GOOGLE_WORKLOAD_IDENTITY_PROVIDER` and `GOOGLE_SERVICE_ACCOUNT`, with `GOOGLE_ADMIN_EMAIL`:
 *    the AWS identity (AWS_ACCESS_KEY_ID... or the SDK's default chain, in AWS_REGION) is exchanged for a
 *    Google token that has the service account sign the delegation JWT (keyless-delegation.ts).
 * 4. `GOOGLE_CREDENTIALS_JSON` (the key JSON) or `GOOGLE_APPLICATION_CREDENTIALS` (a key file path),
 *    with `GOOGLE_ADMIN_EMAIL` as the subject.
 *
 * `IDC_SYNC_GOOGLE_ROOT_URL` is for local testing only: it points the client at the emulator.
 * Throws `ConfigurationError` naming the variables when nothing usable is set.
 */
export function createGoogleDirectorySource(
  env: Record<string, string | undefined>,
  overrides: GoogleDirectorySourceOverrides = {},
): GoogleDirectorySource {
  const { credentials, ...options } = overrides;
  const settings = googleClientSettings(env, credentials);
  const client = admin({
    version: "directory_v1",
    auth: settings.auth,
    ...(settings.rootUrl ? { rootUrl: settings.rootUrl } : {}),
  });
  return new GoogleDirectorySource({ ...options, client });
}

/** Resolves the auth client and root URL as `createGoogleDirectorySource` does, without building it. */
export function googleClientSettings(
  env: Record<string, string | undefined>,
  credentials?: GoogleCredentials,
  /** What the delegated token asks for; the watch renewer adds the Reports scope. */
  scopes: readonly string[] = googleDirectoryScopes,
): GoogleClientSettings {
  const rootUrl = nonEmpty(env[googleEnvironment.rootUrl]);
  const withRoot = (auth: JWT | OAuth2Client): GoogleClientSettings => ({
    auth,
    ...(rootUrl ? { rootUrl: rootUrl.endsWith("/") ? rootUrl : `${rootUrl}/` } : {}),
  });

  const staticToken = nonEmpty(env[googleEnvironment.accessToken]);
  if (staticToken) {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: staticToken, token_type: "Bearer" });
    return withRoot(auth);
  }

  if (credentials) {
    const key = parseKey(credentials.key, "the credentials given");
    const adminEmail = nonEmpty(credentials.adminEmail) ?? nonEmpty(env[googleEnvironment.adminEmail]);
    return withRoot(delegatedJwt(key, adminEmail, "the credentials given", scopes));
  }

  const provider = nonEmpty(env[googleEnvironment.workloadIdentityProvider]);
  if (provider) return withRoot(keylessAuth(env, provider, scopes));

  const keyJson = nonEmpty(env[googleEnvironment.keyJson]);
  const keyFile = nonEmpty(env[googleEnvironment.keyFile]);
  if (keyJson) {
    return withRoot(
      delegatedJwt(
        parseKey(keyJson, googleEnvironment.keyJson),
        nonEmpty(env[googleEnvironment.adminEmail]),
        googleEnvironment.keyJson,
        scopes,
      ),
    );
  }
  if (keyFile) {
    let text: string;
    try {
      text = readFileSync(keyFile, "utf8");
    } catch (error) {
      throw new ConfigurationError(
        `${googleEnvironment.keyFile}=${keyFile}: cannot read the service-account key file: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const source = `${googleEnvironment.keyFile} (${keyFile})`;
    return withRoot(
      delegatedJwt(parseKey(text, source), nonEmpty(env[googleEnvironment.adminEmail]), source, scopes),
    );
  }

  throw new ConfigurationError(
    "No Google credentials: set GOOGLE_WORKLOAD_IDENTITY_PROVIDER and GOOGLE_SERVICE_ACCOUNT (keyless, from " +
      "this AWS identity), or GOOGLE_APPLICATION_CREDENTIALS (path of a service-account key file) or " +
      "GOOGLE_CREDENTIALS_JSON (the key JSON itself), and GOOGLE_ADMIN_EMAIL (the admin the service account " +
      "acts as through domain-wide delegation). To plan without Google, use --source file:PATH with a " +
      "directory snapshot instead.",
  );
}

/** Deadline of one OAuth token request, headers and body. */
const tokenRequestDeadlineMs = 30_000;

function keylessAuth(
  env: Record<string, string | undefined>,
  workloadIdentityProvider: string,
  scopes: readonly string[],
): OAuth2Client {
  const serviceAccountEmail = nonEmpty(env[googleEnvironment.serviceAccount]);
  const adminEmail = nonEmpty(env[googleEnvironment.adminEmail]);
  const awsRegion = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const missing = [
    ...(serviceAccountEmail
      ? []
      : [`${googleEnvironment.serviceAccount} (the service account with domain-wide delegation)`]),
    ...(adminEmail ? [] : [`${googleEnvironment.adminEmail} (the admin it acts as)`]),
    ...(awsRegion ? [] : ["AWS_REGION (the region of the AWS credentials exchanged with Google)"]),
  ];
  if (
    !/^(\/\/iam\.googleapis\.com\/)?projects\/\d+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/.test(
      workloadIdentityProvider,
    )
  ) {
    missing.unshift(
      `${googleEnvironment.workloadIdentityProvider} in the form projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (it is '${workloadIdentityProvider}')`,
    );
  }
  if (missing.length > 0) {
    throw new ConfigurationError(`Keyless Google access needs ${missing.join(", ")}.`);
  }
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const endpoints = {
    ...(nonEmpty(env[googleEnvironment.stsUrl]) ? { sts: nonEmpty(env[googleEnvironment.stsUrl]) } : {}),
    ...(nonEmpty(env[googleEnvironment.iamCredentialsUrl])
      ? { iamCredentials: nonEmpty(env[googleEnvironment.iamCredentialsUrl]) }
      : {}),
    ...(nonEmpty(env[googleEnvironment.tokenUrl])
      ? { oauthToken: nonEmpty(env[googleEnvironment.tokenUrl]) }
      : {}),
  } as Partial<Record<"sts" | "iamCredentials" | "oauthToken", string>>;
  return keylessDelegatedClient({
    workloadIdentityProvider,
    serviceAccountEmail: serviceAccountEmail!,
    adminEmail: adminEmail!,
    scopes,
    awsRegion: awsRegion!,
    // The credentials in this environment when it has them (the Lambda's, or a test's); else the SDK's chain.
    ...(accessKeyId && secretAccessKey
      ? {
          awsCredentials: async () => ({
            accessKeyId,
            secretAccessKey,
            ...(sessionToken ? { sessionToken } : {}),
          }),
        }
      : {}),
    endpoints,
    requestDeadlineMs: tokenRequestDeadlineMs,
  });
}

function delegatedJwt(
  key: ServiceAccountKey,
  adminEmail: string | undefined,
  source: string,
  scopes: readonly string[],
): JWT {
  if (!adminEmail) {
    throw new ConfigurationError(
      `${googleEnvironment.adminEmail} is not set: the service account from ${source} needs an admin to act as ` +
        "(domain-wide delegation); set it to the email of a super admin or of an admin with read access to users, " +
        "groups and org units.",
    );
  }
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    ...(key.private_key_id ? { keyId: key.private_key_id } : {}),
    scopes: [...scopes],
    subject: adminEmail,
    // The token request is an outbound call too: a stalled token endpoint must not hold the run.
    transporterOptions: { fetchImplementation: fetchWithDeadline(tokenRequestDeadlineMs) },
  });
}

function parseKey(key: string | ServiceAccountKey, source: string): ServiceAccountKey {
  let parsed: unknown = key;
  if (typeof key === "string") {
    try {
      parsed = JSON.parse(key);
    } catch (error) {
      throw new ConfigurationError(`${source}: the service-account key is not valid JSON`, { cause: error });
    }
  }
  const candidate = (
    typeof parsed === "object" && parsed !== null ? parsed : {}
  ) as Partial<ServiceAccountKey>;
  if (typeof candidate.client_email !== "string" || typeof candidate.private_key !== "string") {
    const kind = typeof candidate.type === "string" ? ` (it is of type "${candidate.type}")` : "";
    throw new ConfigurationError(
      `${source}: not a service-account key${kind}; it needs client_email and private_key. Create a JSON key ` +
        "for the service account in the Google Cloud console (IAM & Admin > Service accounts > Keys).",
    );
  }
  return candidate as ServiceAccountKey;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
