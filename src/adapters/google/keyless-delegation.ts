/**
 * Keyless Google credentials for the Directory API: the AWS identity idc-sync runs as (the Lambda's role)
 * is exchanged for a Google federated token through Workload Identity Federation (google-auth-library's
 * external-account `AwsClient`, which signs an AWS STS GetCallerIdentity request for Google's STS); that
 * token asks the IAM Service Account Credentials API to `signJwt` the domain-wide-delegation assertion
 * with the service account's Google-managed key; the OAuth token endpoint turns the assertion into an
 * access token acting as the admin. No private key exists anywhere: not in a secret, not on disk.
 *
 * The one-time Google Cloud setup is in the README ("Keyless: Workload Identity Federation").
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { AwsClient, type AwsSecurityCredentialsSupplier, OAuth2Client } from "google-auth-library";
import { KeylessGoogleError } from "../errors.js";
import { fetchWithDeadline } from "../http-deadline.js";

/** Google's endpoints; tests point them at the local emulators. */
export const googleAuthEndpoints = {
  sts: "https://sts.googleapis.com/v1/token",
  iamCredentials: "https://iamcredentials.googleapis.com/",
  oauthToken: "https://oauth2.googleapis.com/token",
} as const;

export interface KeylessDelegationOptions {
  /**
   * The workload identity pool provider: `projects/NUMBER/locations/global/workloadIdentityPools/POOL/
   * providers/PROVIDER` (with or without the `//iam.googleapis.com/` prefix).
   */
  workloadIdentityProvider: string;
  /** The service account with domain-wide delegation, e.g. idc-sync@PROJECT.iam.gserviceaccount.com. */
  serviceAccountEmail: string;
  /** The admin to act as (the JWT `sub`). */
  adminEmail: string;
  scopes: readonly string[];
  /** The AWS region whose STS endpoint the signed GetCallerIdentity names (AWS_REGION). */
  awsRegion: string;
  /** AWS credentials; the SDK's default chain (environment, profile, container, instance) by default. */
  awsCredentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  endpoints?: Partial<Record<keyof typeof googleAuthEndpoints, string>>;
  /** Deadline of each auth request, headers and body. */
  requestDeadlineMs: number;
}

const awsSubjectTokenType = "urn:ietf:params:aws:token-type:aws4_request";
/** The token endpoint accepts assertions valid for at most an hour (OAuth 2.0 for server-to-server apps). */
const assertionLifetimeSeconds = 3600;

/**
 * An OAuth2 client whose access token comes from the keyless chain, refreshed by google-auth-library
 * when it nears expiry (its `refreshHandler`).
 */
export function keylessDelegatedClient(options: KeylessDelegationOptions): OAuth2Client {
  const endpoints = { ...googleAuthEndpoints, ...options.endpoints };
  const fetchImplementation = fetchWithDeadline(options.requestDeadlineMs);
  const credentials = options.awsCredentials ?? defaultProvider();
  const supplier: AwsSecurityCredentialsSupplier = {
    getAwsRegion: async () => options.awsRegion,
    getAwsSecurityCredentials: async () => {
      const { accessKeyId, secretAccessKey, sessionToken } = await credentials();
      return { accessKeyId, secretAccessKey, ...(sessionToken ? { token: sessionToken } : {}) };
    },
  };
  const provider = options.workloadIdentityProvider.replace(/^\/\/iam\.googleapis\.com\//, "");
  const federation = new AwsClient({
    audience: `//iam.googleapis.com/${provider}`,
    subject_token_type: awsSubjectTokenType,
    token_url: endpoints.sts,
    aws_security_credentials_supplier: supplier,
    transporterOptions: { fetchImplementation },
  });

  const client = new OAuth2Client({ transporterOptions: { fetchImplementation } });
  const freshToken = async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: options.serviceAccountEmail,
      sub: options.adminEmail,
      scope: options.scopes.join(" "),
      aud: endpoints.oauthToken,
      iat: now,
      exp: now + assertionLifetimeSeconds,
    };
    const signedJwt = await signJwt(
      federation,
      endpoints.iamCredentials,
      options.serviceAccountEmail,
      claims,
      provider,
    );
    const token = await exchangeAssertion(fetchImplementation, endpoints.oauthToken, signedJwt);
    return { access_token: token.accessToken, expiry_date: Date.now() + token.expiresInSeconds * 1000 };
  };
  // The Directory source sends requests in parallel: they share one refresh instead of signing one JWT each.
  let pending: ReturnType<typeof freshToken> | undefined;
  client.refreshHandler = () => {
    pending ??= freshToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  return client;
}

async function signJwt(
  federation: AwsClient,
  iamCredentialsRoot: string,
  serviceAccountEmail: string,
  claims: Record<string, unknown>,
  provider: string,
): Promise<string> {
  const root = iamCredentialsRoot.endsWith("/") ? iamCredentialsRoot : `${iamCredentialsRoot}/`;
  try {
    const response = await federation.request<{ signedJwt?: unknown }>({
      url: `${root}v1/projects/-/serviceAccounts/${encodeURIComponent(serviceAccountEmail)}:signJwt`,
      method: "POST",
      data: { payload: JSON.stringify(claims) },
    });
    if (typeof response.data?.signedJwt !== "string")
      throw new KeylessGoogleError("IAM Credentials signJwt answered without a signedJwt");
    return response.data.signedJwt;
  } catch (error) {
    throw explain(error, serviceAccountEmail, provider);
  }
}

/** Google's refusals as one message that says what to fix; transient failures go on unchanged (retried). */
function explain(error: unknown, serviceAccountEmail: string, provider: string): unknown {
  const failed = error as {
    status?: number;
    response?: { status?: number; data?: unknown };
    message?: string;
  };
  const message = typeof failed.message === "string" ? failed.message : String(error);
  // google-auth-library turns an STS error answer into "Error code invalid_grant: description".
  const stsCode = /^Error code (\w+)/.exec(message)?.[1];
  if (stsCode !== undefined) {
    return new KeylessGoogleError(
      `Google's Security Token Service refused this AWS identity for ${provider} (${message}). Check the ` +
        "workload identity provider's name, that its AWS provider names this AWS account, and its attribute condition.",
      { cause: error },
    );
  }
  const status = failed.response?.status ?? failed.status;
  if (status === 401 || status === 403) {
    const body = failed.response?.data as { error?: { message?: string } } | undefined;
    return new KeylessGoogleError(
      `IAM Credentials refused to sign the delegation JWT as ${serviceAccountEmail} (${status}: ${body?.error?.message ?? message}). ` +
        `Grant roles/iam.serviceAccountTokenCreator on ${serviceAccountEmail} to the AWS role's federated principal ` +
        `(principalSet://iam.googleapis.com/${provider.replace(/\/providers\/[^/]+$/, "")}/attribute.aws_role/...).`,
      { cause: error },
    );
  }
  return error;
}

async function exchangeAssertion(
  fetchImplementation: typeof fetch,
  tokenUrl: string,
  assertion: string,
): Promise<{ accessToken: string; expiresInSeconds: number }> {
  const response = await fetchImplementation(tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
  });
  const text = await response.text();
  let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } =
    {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: reported below with the status.
  }
  if (!response.ok || typeof body.access_token !== "string") {
    // The message starts with the OAuth error ("unauthorized_client: ..."), as google-auth-library's own
    // JWT client does, so the Directory source reports delegation problems the same way for both.
    const code = typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
    const error = new Error(
      `${code}: ${typeof body.error_description === "string" ? body.error_description : text.slice(0, 200)}`,
    );
    if (response.status >= 500) Object.assign(error, { status: response.status });
    throw error;
  }
  return {
    accessToken: body.access_token,
    expiresInSeconds: typeof body.expires_in === "number" ? body.expires_in : 3600,
  };
}
