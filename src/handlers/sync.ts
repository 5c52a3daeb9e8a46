/**
 * The `sync` Lambda function (serverless.yml): the EventBridge schedule applies, a person invokes
 * `{"mode": "plan" | "apply", "allowDeletions"?: n}`. middy adds the Lambda context to every log line;
 * the work is `handleSyncInvocation`, with the live adapters.
 */

import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import { cachedGoogleSecret } from "./google-secret.js";
import { buildLivePorts, handlerConfigFromEnv } from "./live-ports.js";
import { handleSyncInvocation, type LambdaContextLike, type SyncInvocationResult } from "./sync-handler.js";

// Built once per container: the logger, the configuration and the secret cache outlive invocations.
const logger = new Logger({ serviceName: "idc-sync" });
const config = handlerConfigFromEnv(process.env);
const googleCredentials = config.googleSecretArn
  ? cachedGoogleSecret(new SecretsManagerClient({}), config.googleSecretArn)
  : undefined;

export const handler = middy<unknown, SyncInvocationResult, Error, LambdaContextLike>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) =>
    handleSyncInvocation(event, context, {
      rulesPath: config.rulesPath,
      deadlineMarginMs: config.deadlineMarginMs,
      logger,
      buildPorts: (rules) => buildLivePorts(rules, process.env, googleCredentials),
    }),
  );
