/**
 * The `syncQueue` Lambda function: the one writer. Its event source is the FIFO queue (one message
 * group, so one batch at a time); each batch becomes one run of the same use case as the scheduled
 * sync, with the same rules, guards, state, history and Slack alerts.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import { guardedRequestHandler } from "../adapters/aws/client-config.js";
import { SlackNotifier } from "../adapters/slack/slack-notifier.js";
import { DynamoDbStateStore } from "../adapters/state/dynamodb-state-store.js";
import { type BatchResponse, consumeBatch, type SqsBatchEvent } from "../events/queue-consumer.js";
import { cachedGoogleSecret } from "./google-secret.js";
import { buildLivePorts, handlerConfigFromEnv } from "./live-ports.js";
import { cloudWatchLogStreamUrl } from "./log-url.js";
import { runQueuedScope } from "./queued-run.js";
import { cachedSlackWebhook } from "./slack-secret.js";
import type { LambdaContextLike, SyncHandlerDependencies } from "./sync-handler.js";

const logger = new Logger({ serviceName: "idc-sync" });
const config = handlerConfigFromEnv(process.env);
const secrets = new SecretsManagerClient({ requestHandler: guardedRequestHandler() });
const googleCredentials = config.googleSecretArn
  ? cachedGoogleSecret(secrets, config.googleSecretArn)
  : undefined;
const stateStore = config.stateTableName
  ? new DynamoDbStateStore({
      client: new DynamoDBClient({ requestHandler: guardedRequestHandler() }),
      tableName: config.stateTableName,
    })
  : undefined;
const slackWebhook = config.slackWebhookSecretArn
  ? cachedSlackWebhook(secrets, config.slackWebhookSecretArn)
  : config.slackWebhookUrl
    ? async () => config.slackWebhookUrl as string
    : undefined;

async function notifier(): Promise<SlackNotifier | undefined> {
  if (!slackWebhook) return undefined;
  try {
    return new SlackNotifier({ webhookUrl: await slackWebhook() });
  } catch (error) {
    logger.warn("Slack is not available for this run", { error: (error as Error).message });
    return undefined;
  }
}

const syncDependencies: SyncHandlerDependencies = {
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
};

export const handler = middy<SqsBatchEvent, BatchResponse, Error, LambdaContextLike>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) =>
    consumeBatch(event, { logger, run: (scope) => runQueuedScope(scope, context, syncDependencies) }),
  );
