/**
 * Slack app mode from the deployment and the rules: the bot token comes from the environment (the CLI's
 * `SLACK_BOT_TOKEN`) or the Lambda's secret, the channel and the approvers from the rules
 * (`notifications.slack`). App mode wins over a webhook when both are configured.
 */
import { SlackAppNotifier } from "../adapters/slack/slack-app-notifier.js";
import type { Rules } from "../mapping/index.js";
import { ConfigurationError } from "../sync/errors.js";

/** The CLI's variables: the bot token, and the API root for a local emulator. */
export const slackAppEnvironment = { botToken: "SLACK_BOT_TOKEN", apiUrl: "SLACK_API_URL" } as const;

/** A notifier for app mode; a token without a channel in the rules is a configuration error. */
export function slackAppNotifierFor(
  botToken: string,
  rules: Pick<Rules, "notifications">,
  options: { slackApiUrl?: string } = {},
): SlackAppNotifier {
  const slack = rules.notifications.slack;
  if (!slack.channel) {
    throw new ConfigurationError(
      "a Slack bot token is configured but the rules name no channel: set notifications.slack.channel",
    );
  }
  return new SlackAppNotifier({
    token: botToken,
    channel: slack.channel,
    approvals: slack.approvers.length > 0,
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
  });
}

/** App mode for the CLI when `SLACK_BOT_TOKEN` is set; undefined otherwise. */
export function slackAppNotifierFromEnv(
  env: Record<string, string | undefined>,
  rules: Pick<Rules, "notifications">,
): SlackAppNotifier | undefined {
  const token = env[slackAppEnvironment.botToken]?.trim();
  if (!token) return undefined;
  const apiUrl = env[slackAppEnvironment.apiUrl]?.trim();
  return slackAppNotifierFor(token, rules, apiUrl ? { slackApiUrl: apiUrl } : {});
}
