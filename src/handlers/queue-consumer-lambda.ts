/**
 * The `syncQueue` Lambda function: the one writer. Its event source is the FIFO queue (one message
 * group, so one batch at a time); each batch becomes one run of the same use case as the scheduled
 * sync, with the same rules, guards, state, history and Slack alerts.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import { type BatchResponse, consumeBatch, type SqsBatchEvent } from "../events/queue-consumer.js";
import { runQueuedScope } from "./queued-run.js";
import type { LambdaContextLike } from "./sync-invocation.js";
import { syncRuntime } from "./sync-runtime.js";

// Queued runs are the sync's runs: their metrics carry the sync function's name, so the alarms
// (deploy/serverless/alarms.yml) see them whichever function ran them. Slack, welcome messages, the run
// state and the secret cache are the sync function's too (src/handlers/sync-runtime.ts).
const runtime = syncRuntime(
  process.env,
  process.env.SYNC_FUNCTION_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME,
);

export const handler = middy<SqsBatchEvent, BatchResponse, Error, LambdaContextLike>()
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .handler((event, context) =>
    consumeBatch(event, {
      logger: runtime.logger,
      run: async (scope) => {
        const result = await runtime.measured((measurement) =>
          runQueuedScope(scope, context, runtime.dependencies(measurement)),
        );
        return { ok: result.ok, status: result.status };
      },
    }),
  );
