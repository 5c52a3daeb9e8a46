/**
 * What every Lambda that runs the sync builds once per container — the logger, the metrics, the secret
 * cache, the run state, Slack (webhook or app mode), welcome messages — and how one run is measured and
 * its metrics published. The `sync` function (scheduled and manual runs) and the `syncQueue` consumer
 * (queued runs) both take it from here, so a queued run alerts, greets and is measured exactly as a
 * scheduled one.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
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
import type { SyncHandlerDependencies, SyncInvocationResult } from "./sync-invocation.js";

type Env = Record<string, string | undefined>;

export interface SyncRuntime {
  logger: Logger;
  /** The invocation's dependencies, with this run's calls and read time counted into `measurement`. */
  dependencies(measurement: RunMeasurement): SyncHandlerDependencies;
  /** Runs one sync and publishes its metrics; metrics never fail a run nor hide the error that ended it. */
  measured(
    run: (measurement: RunMeasurement) => Promise<SyncInvocationResult>,
  ): Promise<SyncInvocationResult>;
}

/**
 * `metricsFunctionName`: the function name the metrics carry (the alarms in deploy/serverless/alarms.yml
 * find them by it): the sync function's own, also for runs the queue consumer makes.
 */
export function syncRuntime(env: Env, metricsFunctionName: string | undefined): SyncRuntime {
  const logger = new Logger({ serviceName: "idc-sync" });
  const metrics = new Metrics({
    namespace: metricsNamespace,
    serviceName: "idc-sync",
    ...(metricsFunctionName ? { defaultDimensions: { FunctionName: metricsFunctionName } } : {}),
  });
  const config = handlerConfigFromEnv(env);
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
  const slackAppSecretArn = env.SLACK_APP_SECRET_ARN?.trim();
  const slackApp = slackAppSecretArn ? slackAppSecret(secrets, slackAppSecretArn) : undefined;

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

  return {
    logger,
    dependencies: (measurement) => ({
      rulesPath: config.rulesPath,
      deadlineMarginMs: config.deadlineMarginMs,
      logger,
      buildPorts: async (rules) =>
        measurement.timed(await buildLivePorts(rules, env, googleCredentials, measurement.calls.listeners)),
      ...(stateStore ? { stateStore } : {}),
      notifier,
      ...(slackApp ? { afterApply: greetings } : {}),
      logUrl: (invocation) =>
        config.region && invocation.logGroupName && invocation.logStreamName
          ? cloudWatchLogStreamUrl(config.region, invocation.logGroupName, invocation.logStreamName)
          : undefined,
    }),
    async measured(run) {
      const measurement = new RunMeasurement();
      const publish = (runEnd: RunEnd) => {
        try {
          publishRunMetrics(metrics, runMetrics(runEnd, measurement.measured()));
        } catch (error) {
          logger.warn("the run's metrics could not be published", { error: (error as Error).message });
        }
      };
      try {
        const result = await run(measurement);
        publish({ result });
        return result;
      } catch (error) {
        publish({ error });
        throw error;
      }
    },
  };
}
