/**
 * Builds the run state store and the Slack notifier for the CLI: `--state FILE` or
 * `--state dynamodb:TABLE` (the Lambda's table, to read its history), and `SLACK_WEBHOOK_URL`.
 */
import { basename, dirname, extname, join, resolve } from "node:path";
import type { SlackNotifierOptions } from "../adapters/slack/slack-notifier.js";
import { FileStateStore } from "../adapters/state/file-state-store.js";
import type { Notifier, StateStore } from "../sync/ports.js";
import type { EndpointSpec } from "./wiring.js";

/** The variable holding the Slack incoming webhook URL for local runs. */
export const slackWebhookVariable = "SLACK_WEBHOOK_URL";

/**
 * Where the run state lives when `--state` is not given: beside a file target (`ic.json` →
 * `ic.state.json`, since the state describes that Identity Center), otherwise `.idc-sync/state.json`
 * next to the rules.
 */
export function defaultStateLocation(rulesPath: string, target: EndpointSpec): string {
  if (target.kind === "file") {
    const extension = extname(target.path);
    return join(dirname(target.path), `${basename(target.path, extension)}.state.json`);
  }
  return join(dirname(rulesPath), ".idc-sync", "state.json");
}

/** A file path, or `dynamodb:TABLE`. */
export async function buildStateStore(location: string, cwd: string): Promise<StateStore> {
  if (location.startsWith("dynamodb:") && location.length > "dynamodb:".length) {
    const [{ DynamoDBClient }, { DynamoDbStateStore }, { guardedRequestHandler }] = await Promise.all([
      import("@aws-sdk/client-dynamodb"),
      import("../adapters/state/dynamodb-state-store.js"),
      import("../adapters/aws/client-config.js"),
    ]);
    return new DynamoDbStateStore({
      client: new DynamoDBClient({ requestHandler: guardedRequestHandler() }),
      tableName: location.slice("dynamodb:".length),
    });
  }
  return new FileStateStore(resolve(cwd, location));
}

/** The Slack notifier when `SLACK_WEBHOOK_URL` is set; `settings` are for tests (a sleep that does not wait). */
export async function buildNotifier(
  env: Record<string, string | undefined>,
  settings: Omit<SlackNotifierOptions, "webhookUrl"> = {},
): Promise<Notifier | undefined> {
  const url = env[slackWebhookVariable]?.trim();
  if (!url) return undefined;
  const { SlackNotifier } = await import("../adapters/slack/slack-notifier.js");
  return new SlackNotifier({ ...settings, webhookUrl: url });
}
