/**
 * The Slack incoming webhook URL of the Lambda: a Secrets Manager secret whose text is the URL (the
 * URL is a credential: anyone holding it can post to the channel). Read once per container.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigurationError } from "../sync/errors.js";

export type SlackWebhookReader = () => Promise<string>;

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

/** Fetches the secret on first use and keeps it for the container's life; a failed read is retried next time. */
export function cachedSlackWebhook(client: SecretsManagerClient, secretId: string): SlackWebhookReader {
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= client
      .send(new GetSecretValueCommand({ SecretId: secretId }))
      .then((output) => parseSlackWebhookSecret(output.SecretString ?? "", secretId))
      .catch((error: unknown) => {
        pending = undefined;
        if (error instanceof ConfigurationError) throw error;
        throw new ConfigurationError(
          `cannot read the Slack webhook secret ${secretId}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      });
    return pending;
  };
}
