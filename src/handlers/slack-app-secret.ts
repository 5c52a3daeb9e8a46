/**
 * The Slack app's credentials: a Secrets Manager secret holding
 * `{"botToken": "xoxb-...", "signingSecret": "..."}`. The bot token posts alerts and welcome messages;
 * the signing secret verifies the button clicks Slack sends to the interaction endpoint. Cached as every
 * secret is (`secrets.ts`).
 */
import type { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { ConfigurationError } from "../sync/errors.js";
import { cachedSecret } from "./secrets.js";

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

/** The Slack app secret, cached like every secret (`secrets.ts`: re-read after its max age). */
export function slackAppSecret(provider: SecretsProvider, secretId: string): SlackAppSecretReader {
  return cachedSecret(provider, secretId, { what: "Slack app", parse: parseSlackAppSecret });
}
