/**
 * The `sync` Lambda function (serverless.yml): the EventBridge schedule applies, a person invokes
 * `{"mode": "plan" | "apply" | "report", "allowDeletions"?: n}`. middy adds the Lambda context to every log line;
 * the work is `handleSyncInvocation`, with the live adapters; how it ended, with the calls and read time
 * measured on the way, is published as the run's metrics (EMF, src/metrics/run-metrics.ts).
 */

import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import {
  handleSyncInvocation,
  type LambdaContextLike,
  type SyncInvocationResult,
} from "./sync-invocation.js";
import { syncRuntime } from "./sync-runtime.js";

// Built once per container: the logger, the metrics, the secret cache and the run state outlive invocations.
const runtime = syncRuntime(process.env, process.env.AWS_LAMBDA_FUNCTION_NAME);

export const handler = middy<unknown, SyncInvocationResult, Error, LambdaContextLike>()
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .handler((event, context) =>
    runtime.measured((measurement) =>
      handleSyncInvocation(event, context, runtime.dependencies(measurement)),
    ),
  );
