/**
 * The `sync` Lambda function (serverless.yml): the EventBridge schedule applies, a person invokes
 * `{"mode": "plan" | "apply" | "report", "allowDeletions"?: n}`. middy adds the Lambda context to every log line;
 * the work is `handleSyncInvocation`, with the live adapters; how it ended, with the calls and read time
 * measured on the way, is published as the run's metrics (EMF, src/metrics/run-metrics.ts).
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import { guardedRequestHandler } from "../adapters/aws/client-config.js";
import { loadRules } from "../adapters/file/rules-file.js";
import { SlackNotifier } from "../adapters/slack/slack-notifier.js";
import { DynamoDbStateStore } from "../adapters/state/dynamodb-state-store.js";
import { buildLivePorts } from "../app/live-ports.js";
import { greetingsHookFor, slackAppNotifierFor } from "../app/slack-app-wiring.js";
import type { AppliedRun } from "../app/welcome.js";
import { metricsNamespace, type RunEnd, runMetrics } from "../metrics/run-metrics.js";
import type { Notifier } from "../sync/ports.js";
import { handlerConfigFromEnv } from "./lambda-config.js";
import { cloudWatchLogStreamUrl } from "./log-url.js";
import { publishRunMetrics } from "./publish-metrics.js";
import { RunMeasurement } from "./run-measurement.js";
import { googleCredentialsSecret, slackWebhookSecret } from "./secrets.js";
import { slackAppSecret } from "./slack-app-secret.js";
import {
  handleSyncInvocation,
  type LambdaContextLike,
  type SyncInvocationResult,
} from "./sync-invocation.js";

// Built once per container: the logger, the configuration and the secret cache outlive invocations.
const logger = new Logger({ serviceName: "idc-sync" });
// The alarms (deploy/serverless/alarms.yml) find the metrics by these dimensions: service and function name.
const metrics = new Metrics({
  namespace: metricsNamespace,
  serviceName: "idc-sync",
  ...(process.env.AWS_LAMBDA_FUNCTION_NAME
    ? { defaultDimensions: { FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME } }
    : {}),
});
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

const slackApp = process.env.SLACK_APP_SECRET_ARN?.trim()
  ? slackAppSecret(secrets, process.env.SLACK_APP_SECRET_ARN.trim())
  : undefined;

/** Slack when configured; a webhook that cannot be read is logged and the run goes on without it. */
async function notifier(): Promise<Notifier | undefined> {
  if (slackApp) {
    try {
      // App mode: the channel and approvers are in the rules (read again here, as the run will).
      const loaded = await loadRules(config.rulesPath);
      if (loaded.ok) return slackAppNotifierFor((await slackApp()).botToken, loaded.rules);
      logger.warn("Slack app mode needs the rules' channel, and the rules do not load; trying the webhook");
    } catch (error) {
      logger.warn("Slack app mode is not available for this run", { error: (error as Error).message });
    }
  }
  if (!slackWebhook) return undefined;
  try {
    return new SlackNotifier({ webhookUrl: await slackWebhook() });
  } catch (error) {
    logger.warn("Slack is not available for this run", { error: (error as Error).message });
    return undefined;
  }
}

/** Welcome and farewell messages after an apply, when the rules ask for them (app mode). */
async function greetings(run: AppliedRun): Promise<string[]> {
  if (!slackApp) return [];
  const loaded = await loadRules(config.rulesPath);
  if (!loaded.ok) return [];
  const hook = await greetingsHookFor((await slackApp()).botToken, loaded.rules, config.rulesPath);
  return hook ? hook(run) : [];
}

export const handler = middy<unknown, SyncInvocationResult, Error, LambdaContextLike>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event, context) => {
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
      const result = await sync(event, context, measurement);
      publish({ result });
      return result;
    } catch (error) {
      publish({ error });
      throw error;
    }
  });

function sync(event: unknown, context: LambdaContextLike, measurement: RunMeasurement) {
  return handleSyncInvocation(event, context, {
    rulesPath: config.rulesPath,
    deadlineMarginMs: config.deadlineMarginMs,
    logger,
    buildPorts: async (rules) =>
      measurement.timed(
        await buildLivePorts(rules, process.env, googleCredentials, measurement.calls.listeners),
      ),
    ...(stateStore ? { stateStore } : {}),
    notifier,
    ...(slackApp ? { afterApply: greetings } : {}),
    logUrl: (invocation) =>
      config.region && invocation.logGroupName && invocation.logStreamName
        ? cloudWatchLogStreamUrl(config.region, invocation.logGroupName, invocation.logStreamName)
        : undefined,
  });
}
