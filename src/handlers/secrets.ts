/**
 * The Lambda's secrets in Secrets Manager: the Google credentials
 * (`{"serviceAccountKey": {...}, "adminEmail": "..."}`) and the Slack incoming webhook URL (a credential:
 * anyone holding it can post to the channel). Read through Powertools' `SecretsProvider`, which keeps
 * each value for `secretMaxAgeSeconds`: a run every 15 minutes costs one GetSecretValue per secret per
 * five minutes of a warm container, and a rotated secret is picked up within that time, not at the next
 * cold start. A failed read is not kept, so the next invocation tries again.
 */
import type { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { z } from "zod";
import type { GoogleCredentials } from "../adapters/google/index.js";
import { ConfigurationError } from "../sync/errors.js";

/** How long a secret read is kept before it is read again (Powertools' `maxAge`, in seconds). */
export const secretMaxAgeSeconds = 300;

export type SecretReader<T> = () => Promise<T>;

interface SecretShape<T> {
  /** For messages: "Google credentials", "Slack webhook". */
  what: string;
  /** Told after a failed read: what to check. */
  hint?: string;
  /** The value from the secret's text; a ConfigurationError naming the problem (never the value). */
  parse(text: string, secretId: string): T;
}

/** A reader of one secret, cached by `provider` for `secretMaxAgeSeconds`. */
export function cachedSecret<T>(
  provider: SecretsProvider,
  secretId: string,
  shape: SecretShape<T>,
): SecretReader<T> {
  return async function readSecret() {
    let value: string | Uint8Array | undefined;
    try {
      value = await provider.get(secretId, { maxAge: secretMaxAgeSeconds });
    } catch (error) {
      // Powertools wraps the SDK's error (GetParameterError); its message is the service's own words.
      throw new ConfigurationError(
        `cannot read the ${shape.what} secret ${secretId}: ${(error as Error).message}${shape.hint ? `. ${shape.hint}` : ""}`,
        { cause: error },
      );
    }
    if (typeof value !== "string") {
      throw new ConfigurationError(
        `secret ${secretId} has no SecretString; store the ${shape.what} as text, not binary`,
      );
    }
    return shape.parse(value, secretId);
  };
}

/** The Google credentials secret: what the Directory API is read with. */
export function googleCredentialsSecret(
  provider: SecretsProvider,
  secretId: string,
): SecretReader<GoogleCredentials> {
  return cachedSecret(provider, secretId, {
    what: "Google credentials",
    hint: "Check the googleSecretArn parameter and that the secret exists in this account and region",
    parse: parseGoogleSecret,
  });
}

/** The Slack webhook secret: the URL itself, or `{"webhookUrl": "..."}`. */
export function slackWebhookSecret(provider: SecretsProvider, secretId: string): SecretReader<string> {
  return cachedSecret(provider, secretId, { what: "Slack webhook", parse: parseSlackWebhookSecret });
}

/** The secret's JSON shape; the key may be the key file's object or its text. */
const googleSecretSchema = z.object({
  serviceAccountKey: z.union([
    z.looseObject({ client_email: z.string().min(1), private_key: z.string().min(1) }),
    z.string().min(1),
  ]),
  adminEmail: z.string().email(),
});

export const googleSecretExample =
  '{"serviceAccountKey": {"type": "service_account", "client_email": "...", "private_key": "...", ...}, "adminEmail": "admin@example.com"}';

/** Parses the secret text; a wrong shape is a ConfigurationError naming every problem (never the values). */
export function parseGoogleSecret(text: string, secretId: string): GoogleCredentials {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(
      `secret ${secretId} is not JSON; it should look like ${googleSecretExample}`,
      {
        cause: error,
      },
    );
  }
  const parsed = googleSecretSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new ConfigurationError(
      `secret ${secretId} is not a Google credentials secret (${problems.join("; ")}); it should look like ${googleSecretExample}`,
    );
  }
  const { serviceAccountKey, adminEmail } = parsed.data;
  return {
    key:
      typeof serviceAccountKey === "string"
        ? serviceAccountKey
        : (serviceAccountKey as GoogleCredentials["key"]),
    adminEmail,
  };
}

const webhookPattern = /^https:\/\/\S+$/;

/** Parses the secret text: the URL itself, or `{"webhookUrl": "https://hooks.slack.com/..."}`. */
export function parseSlackWebhookSecret(text: string, secretId: string): string {
  let candidate = text.trim();
  if (candidate.startsWith("{")) {
    try {
      candidate = String((JSON.parse(candidate) as { webhookUrl?: unknown }).webhookUrl ?? "");
    } catch {
      candidate = "";
    }
  }
  if (!webhookPattern.test(candidate)) {
    throw new ConfigurationError(
      `secret ${secretId} is not a Slack webhook URL; store the URL (https://hooks.slack.com/services/...) as the secret's text`,
    );
  }
  return candidate;
}
