/**
 * The `sync` Lambda function (serverless.yml): the EventBridge schedule applies, a person invokes
 * `{"mode": "plan" | "apply" | "report", "allowDeletions"?: n}`. middy adds the Lambda context to every log line;
 * the work is `handleSyncInvocation`, with the live adapters.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import { guardedRequestHandler } from "../adapters/aws/client-config.js";
import { SlackNotifier } from "../adapters/slack/slack-notifier.js";
import { DynamoDbStateStore } from "../adapters/state/dynamodb-state-store.js";
import { buildLivePorts } from "../app/live-ports.js";
import { handlerConfigFromEnv } from "./lambda-config.js";
import { cloudWatchLogStreamUrl } from "./log-url.js";
import { googleCredentialsSecret, slackWebhookSecret } from "./secrets.js";
import {
  handleSyncInvocation,
  type LambdaContextLike,
  type SyncInvocationResult,
} from "./sync-invocation.js";

// Built once per container: the logger, the configuration and the secret cache outlive invocations.
const logger = new Logger({ serviceName: "idc-sync" });
const config = handlerConfigFromEnv(process.env);
// Every AWS request has a deadline covering its body, so a stalled peer cannot hold the only slot.
const secrets = new SecretsProvider({
  awsSdkV3Client: new SecretsManagerClient({ requestHandler: guardedRequestHandler() }),
});
const googleCredentials = config.googleSecretArn
  ? googleCredentialsSecret(secrets, config.googleSecretArn)
  : undefined;
const stateStore = config.stateTableName
  ? new DynamoDbStateStore({
      client: new DynamoDBClient({ requestHandler: guardedRequestHandler() }),
      tableName: config.stateTableName,
    })
  : undefined;
const slackWebhook = config.slackWebhookSecretArn
  ? slackWebhookSecret(secrets, config.slackWebhookSecretArn)
  : config.slackWebhookUrl
    ? async () => config.slackWebhookUrl as string
    : undefined;

/** Slack when configured; a webhook that cannot be read is logged and the run goes on without it. */
async function notifier(): Promise<SlackNotifier | undefined> {
  if (!slackWebhook) return undefined;
  try {
    return new SlackNotifier({ webhookUrl: await slackWebhook() });
  } catch (error) {
    logger.warn("Slack is not available for this run", { error: (error as Error).message });
    return undefined;
  }
}

export const handler = middy<unknown, SyncInvocationResult, Error, LambdaContextLike>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) =>
    handleSyncInvocation(event, context, {
      rulesPath: config.rulesPath,
      deadlineMarginMs: config.deadlineMarginMs,
      logger,
      buildPorts: (rules) => buildLivePorts(rules, process.env, googleCredentials),
      ...(stateStore ? { stateStore } : {}),
      notifier,
      logUrl: (invocation) =>
        config.region && invocation.logGroupName && invocation.logStreamName
          ? cloudWatchLogStreamUrl(config.region, invocation.logGroupName, invocation.logStreamName)
          : undefined,
    }),
  );
