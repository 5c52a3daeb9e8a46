/**
 * The Slack app's credentials: a Secrets Manager secret holding
 * `{"botToken": "xoxb-...", "signingSecret": "..."}`. The bot token posts alerts and welcome messages;
 * the signing secret verifies the button clicks Slack sends to the interaction endpoint. Read once per
 * container; a failed read is tried again on the next use.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigurationError } from "../sync/errors.js";

export interface SlackAppSecret {
  botToken: string;
  signingSecret: string;
}

export type SlackAppSecretReader = () => Promise<SlackAppSecret>;

/** Parses the secret text; names what is missing without ever echoing a value. */
export function parseSlackAppSecret(text: string, secretId: string): SlackAppSecret {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object") parsed = value as Record<string, unknown>;
  } catch {
    // Reported below with what the secret must hold.
  }
  const botToken = typeof parsed.botToken === "string" ? parsed.botToken.trim() : "";
  const signingSecret = typeof parsed.signingSecret === "string" ? parsed.signingSecret.trim() : "";
  const problems = [
    ...(botToken.startsWith("xoxb-") ? [] : ["botToken (the bot token, xoxb-...)"]),
    ...(signingSecret !== "" ? [] : ["signingSecret (Basic Information → App Credentials)"]),
  ];
  if (problems.length > 0) {
    throw new ConfigurationError(
      `secret ${secretId} must hold {"botToken": "xoxb-...", "signingSecret": "..."}; missing or wrong: ${problems.join(", ")}`,
    );
  }
  return { botToken, signingSecret };
}

export function cachedSlackAppSecret(client: SecretsManagerClient, secretId: string): SlackAppSecretReader {
  let pending: Promise<SlackAppSecret> | undefined;
  return () => {
    pending ??= client
      .send(new GetSecretValueCommand({ SecretId: secretId }))
      .then((output) => parseSlackAppSecret(output.SecretString ?? "", secretId))
      .catch((error: unknown) => {
        pending = undefined;
        if (error instanceof ConfigurationError) throw error;
        throw new ConfigurationError(
          `cannot read the Slack app secret ${secretId}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      });
    return pending;
  };
}
