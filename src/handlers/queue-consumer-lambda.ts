/**
 * The `syncQueue` Lambda function: the one writer. Its event source is the FIFO queue (one message
 * group, so one batch at a time); each batch becomes one run of the same use case as the scheduled
 * sync, with the same rules, guards, state, history and Slack alerts.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import { guardedRequestHandler } from "../adapters/aws/client-config.js";
import { SlackNotifier } from "../adapters/slack/slack-notifier.js";
import { DynamoDbStateStore } from "../adapters/state/dynamodb-state-store.js";
import { buildLivePorts } from "../app/live-ports.js";
import {
  type BatchResponse,
  consumeBatch,
  type RunOutcome,
  type SqsBatchEvent,
} from "../events/queue-consumer.js";
import { metricsNamespace, type RunEnd, runMetrics } from "../metrics/run-metrics.js";
import type { SyncScope } from "../sync/run-scope.js";
import { handlerConfigFromEnv } from "./lambda-config.js";
import { cloudWatchLogStreamUrl } from "./log-url.js";
import { publishRunMetrics } from "./publish-metrics.js";
import { runQueuedScope } from "./queued-run.js";
import { RunMeasurement } from "./run-measurement.js";
import { googleCredentialsSecret, slackWebhookSecret } from "./secrets.js";
import type { LambdaContextLike, SyncHandlerDependencies } from "./sync-invocation.js";

const logger = new Logger({ serviceName: "idc-sync" });
// Queued runs are the sync's runs: their metrics carry the sync function's name, so the alarms
// (deploy/serverless/alarms.yml) see them whichever function ran them.
const metrics = new Metrics({
  namespace: metricsNamespace,
  serviceName: "idc-sync",
  ...((process.env.SYNC_FUNCTION_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME)
    ? {
        defaultDimensions: {
          FunctionName: (process.env.SYNC_FUNCTION_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME) as string,
        },
      }
    : {}),
});
const config = handlerConfigFromEnv(process.env);
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

async function notifier(): Promise<SlackNotifier | undefined> {
  if (!slackWebhook) return undefined;
  try {
    return new SlackNotifier({ webhookUrl: await slackWebhook() });
  } catch (error) {
    logger.warn("Slack is not available for this run", { error: (error as Error).message });
    return undefined;
  }
}

function syncDependencies(measurement: RunMeasurement): SyncHandlerDependencies {
  return {
    rulesPath: config.rulesPath,
    deadlineMarginMs: config.deadlineMarginMs,
    logger,
    buildPorts: async (rules) =>
      measurement.timed(
        await buildLivePorts(rules, process.env, googleCredentials, measurement.calls.listeners),
      ),
    ...(stateStore ? { stateStore } : {}),
    notifier,
    logUrl: (invocation) =>
      config.region && invocation.logGroupName && invocation.logStreamName
        ? cloudWatchLogStreamUrl(config.region, invocation.logGroupName, invocation.logStreamName)
        : undefined,
  };
}

/** One batch's run, with its metrics published as the sync function publishes a run's. */
async function run(scope: SyncScope, context: LambdaContextLike): Promise<RunOutcome> {
  const measurement = new RunMeasurement();
  // Metrics must never fail a run, nor hide the error that ended it.
  const publish = (end: RunEnd) => {
    try {
      publishRunMetrics(metrics, runMetrics(end, measurement.measured()));
    } catch (error) {
      logger.warn("the run's metrics could not be published", { error: (error as Error).message });
    }
  };
  try {
    const result = await runQueuedScope(scope, context, syncDependencies(measurement));
    publish({ result });
    return { ok: result.ok, status: result.status };
  } catch (error) {
    publish({ error });
    throw error;
  }
}

export const handler = middy<SqsBatchEvent, BatchResponse, Error, LambdaContextLike>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => consumeBatch(event, { logger, run: (scope) => run(scope, context) }));
