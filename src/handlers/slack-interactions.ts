/**
 * The `slackInteractions` Lambda function (deploy/serverless/slack-interactions-function.yml), behind a
 * function URL that is the Slack app's Interactivity Request URL. It records Approve / Reject clicks on
 * stopped plans in the run state; the next scheduled run applies an approved plan.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import { guardedRequestHandler } from "../adapters/aws/client-config.js";
import { loadRules } from "../adapters/file/rules-file.js";
import { slackApprovalPorts } from "../adapters/slack/slack-approval-ports.js";
import { SlackWebApi } from "../adapters/slack/slack-web-api.js";
import { DynamoDbStateStore } from "../adapters/state/dynamodb-state-store.js";
import { ConfigurationError } from "../sync/errors.js";
import { handlerConfigFromEnv } from "./lambda-config.js";
import { slackAppSecret } from "./slack-app-secret.js";
import {
  type FunctionUrlEvent,
  type FunctionUrlResult,
  handleInteractionEvent,
} from "./slack-interaction-handler.js";

const logger = new Logger({ serviceName: "idc-sync-slack" });
const config = handlerConfigFromEnv(process.env);
const secretArn = process.env.SLACK_APP_SECRET_ARN?.trim();
const secrets = new SecretsProvider({
  awsSdkV3Client: new SecretsManagerClient({ requestHandler: guardedRequestHandler() }),
});
const appSecret = secretArn ? slackAppSecret(secrets, secretArn) : undefined;
const stateStore = config.stateTableName
  ? new DynamoDbStateStore({
      client: new DynamoDBClient({ requestHandler: guardedRequestHandler() }),
      tableName: config.stateTableName,
    })
  : undefined;

/** The approvers, read from the packaged rules at each click, so a rules deploy takes effect at once. */
async function approvers(): Promise<string[]> {
  const loaded = await loadRules(config.rulesPath);
  if (!loaded.ok) throw new ConfigurationError(`the rules do not load: ${loaded.issues.length} problem(s)`);
  return loaded.rules.notifications.slack.approvers;
}

export const handler = middy<FunctionUrlEvent, FunctionUrlResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    if (!appSecret || !stateStore) {
      logger.error("SLACK_APP_SECRET_ARN and STATE_TABLE_NAME must be set");
      return { statusCode: 500, headers: { "content-type": "text/plain" }, body: "not configured" };
    }
    const secret = await appSecret();
    const api = new SlackWebApi({ token: secret.botToken, windowMs: 2_000 });
    return handleInteractionEvent(event, {
      signingSecret: async () => secret.signingSecret,
      stateStore,
      clock: { now: () => new Date() },
      approvers: await approvers(),
      ...slackApprovalPorts(api),
      log: (level, message, data) => logger[level](message, data ?? {}),
    });
  });
