/**
 * The Google credentials of the Lambda: one Secrets Manager secret holding the service-account key and
 * the admin to act as, `{"serviceAccountKey": {...}, "adminEmail": "admin@example.com"}`. Read once per
 * container and kept, so a run every 15 minutes costs one GetSecretValue per cold start, not per run.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";
import type { GoogleCredentials } from "../adapters/google/index.js";
import { ConfigurationError } from "../sync/errors.js";

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

export type GoogleCredentialsReader = () => Promise<GoogleCredentials>;

/**
 * Returns a reader that fetches the secret on first use and then answers from memory for the life of
 * the container. A failed read is not kept, so the next invocation tries again.
 */
export function cachedGoogleSecret(client: SecretsManagerClient, secretId: string): GoogleCredentialsReader {
  let pending: Promise<GoogleCredentials> | undefined;
  return () => {
    pending ??= readGoogleSecret(client, secretId).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

async function readGoogleSecret(client: SecretsManagerClient, secretId: string): Promise<GoogleCredentials> {
  let text: string | undefined;
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = output.SecretString;
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the Google credentials secret ${secretId}: ${(error as Error).message}. Check the ` +
        "googleSecretArn parameter and that the secret exists in this account and region.",
      { cause: error },
    );
  }
  if (text === undefined) {
    throw new ConfigurationError(
      `secret ${secretId} has no SecretString; store the JSON as text, not binary`,
    );
  }
  return parseGoogleSecret(text, secretId);
}
