/**
 * The `googlePush` Lambda function: behind a function URL (auth NONE: Google sends no credentials, the
 * channel token is the check), it answers Google's push notifications at once and enqueues what they
 * name. Its own small function, so it never waits for a sync: a throttled receiver would answer 429,
 * which Google does not retry.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { guardedRequestHandler } from "../adapters/aws/client-config.js";
import { SqsSyncQueue } from "../adapters/sqs/sqs-sync-queue.js";
import { DynamoDbChannelStore } from "../adapters/state/dynamodb-channel-store.js";
import { maxNotificationBytes, receiveGoogleNotification } from "../events/push-receiver.js";
import { channelSecretReader, eventConfigFromEnv, requireSettings } from "./event-config.js";

const logger = new Logger({ serviceName: "idc-sync" });
const config = eventConfigFromEnv(process.env);
requireSettings(config, ["queueUrl", "stateTableName"], "the googlePush function");
const channels = new DynamoDbChannelStore({
  client: new DynamoDBClient({ requestHandler: guardedRequestHandler() }),
  tableName: config.stateTableName,
});
const queue = new SqsSyncQueue({
  client: new SQSClient({ requestHandler: guardedRequestHandler() }),
  queueUrl: config.queueUrl,
});
const channelSecret = channelSecretReader(
  config,
  () =>
    new SecretsProvider({
      awsSdkV3Client: new SecretsManagerClient({ requestHandler: guardedRequestHandler() }),
    }),
);

/** The part of a function URL event (payload format 2.0) the receiver reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string } };
}

export async function handler(event: FunctionUrlEvent): Promise<{ statusCode: number; body: string }> {
  const raw = event.body ?? "";
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  const answer = await receiveGoogleNotification(
    {
      method: event.requestContext?.http?.method ?? "POST",
      headers: event.headers ?? {},
      body: body.length > maxNotificationBytes ? "" : body,
    },
    { channels, queue, channelSecret, logger },
  );
  return { statusCode: answer.status, body: "" };
}
