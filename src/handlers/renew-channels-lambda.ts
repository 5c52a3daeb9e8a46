/**
 * The `renewChannels` Lambda function (every 30 minutes): opens the Google watch channels, renews them
 * before they expire and stops the ones they replace. With GOOGLE_WATCH=false it stops every channel.
 */
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { guardedRequestHandler } from "../adapters/aws/client-config.js";
import { createGoogleWatchApi } from "../adapters/google/google-watch-api.js";
import { googleEnvironment } from "../adapters/google/index.js";
import { DynamoDbChannelStore } from "../adapters/state/dynamodb-channel-store.js";
import { defaultWatchTargets, type RenewalReport, renewChannels } from "../events/channel-renewal.js";
import { channelSecretReader, eventConfigFromEnv, requireSettings } from "./event-config.js";
import { handlerConfigFromEnv } from "./lambda-config.js";
import { googleCredentialsSecret } from "./secrets.js";

const logger = new Logger({ serviceName: "idc-sync" });
const config = eventConfigFromEnv(process.env);
requireSettings(config, ["pushAddress", "stateTableName"], "the renewChannels function");
const pushAddress = config.pushAddress;
const syncConfig = handlerConfigFromEnv(process.env);
const secrets = new SecretsProvider({
  awsSdkV3Client: new SecretsManagerClient({ requestHandler: guardedRequestHandler() }),
});
const googleCredentials = syncConfig.googleSecretArn
  ? googleCredentialsSecret(secrets, syncConfig.googleSecretArn)
  : undefined;
const channels = new DynamoDbChannelStore({
  client: new DynamoDBClient({ requestHandler: guardedRequestHandler() }),
  tableName: config.stateTableName,
});
const channelSecret = channelSecretReader(config, () => secrets);

export async function handler(): Promise<RenewalReport> {
  const useSecret = googleCredentials !== undefined && !process.env[googleEnvironment.accessToken]?.trim();
  const watch = createGoogleWatchApi(
    process.env,
    useSecret ? await googleCredentials() : undefined,
    config.googleCustomer,
  );
  const report = await renewChannels(
    { address: pushAddress, targets: config.googleWatch ? defaultWatchTargets : [] },
    { channels, watch, channelSecret, logger, now: Date.now, newChannelId: randomUUID },
  );
  const log = report.failures.length === 0 ? logger.info.bind(logger) : logger.error.bind(logger);
  log("channels renewed", {
    opened: report.opened.length,
    stopped: report.stopped.length,
    forgotten: report.forgotten.length,
    failures: report.failures,
  });
  // A failure fails the invocation, so the Lambda error metric sees a watch that could not be opened.
  if (report.failures.length > 0 && report.opened.length === 0 && report.stopped.length === 0) {
    throw new Error(
      `no watch channel could be opened or stopped: ${report.failures.map((f) => f.error).join("; ")}`,
    );
  }
  return report;
}
