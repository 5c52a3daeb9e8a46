/**
 * Slack app mode from the deployment and the rules: the bot token comes from the environment (the CLI's
 * `SLACK_BOT_TOKEN`) or the Lambda's secret, the channel and the approvers from the rules
 * (`notifications.slack`). App mode wins over a webhook when both are configured.
 */
import { SlackAppNotifier } from "../adapters/slack/slack-app-notifier.js";
import { SlackWebApi, type SlackWebApiOptions } from "../adapters/slack/slack-web-api.js";
import type { Rules } from "../mapping/index.js";
import { ConfigurationError } from "../sync/errors.js";
import { type AppliedRun, greetingSettingsFromRules, sendGreetings } from "./welcome.js";

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

/**
 * The welcome and farewell hook of app mode, when the rules ask for either; reads the templates now, so a
 * missing or broken template stops the run before anything changes, with the setting named.
 */
export async function greetingsHookFor(
  botToken: string,
  rules: Pick<Rules, "notifications">,
  rulesPath: string,
  options: Partial<SlackWebApiOptions> = {},
): Promise<((run: AppliedRun) => Promise<string[]>) | undefined> {
  const settings = await greetingSettingsFromRules(rules, rulesPath);
  if (!settings.welcome && !settings.farewell) return undefined;
  const api = new SlackWebApi({ ...options, token: botToken });
  return (run) => sendGreetings(run, settings, api);
}

/** The hook for the CLI (`SLACK_BOT_TOKEN`), as an option object to spread into the monitor context. */
export async function greetingsFromEnv(
  env: Record<string, string | undefined>,
  rules: Pick<Rules, "notifications">,
  rulesPath: string,
): Promise<{ afterApply?: (run: AppliedRun) => Promise<string[]> }> {
  const token = env[slackAppEnvironment.botToken]?.trim();
  if (!token) return {};
  const apiUrl = env[slackAppEnvironment.apiUrl]?.trim();
  const hook = await greetingsHookFor(token, rules, rulesPath, apiUrl ? { slackApiUrl: apiUrl } : {});
  return hook ? { afterApply: hook } : {};
}
