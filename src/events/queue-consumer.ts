/**
 * The queue consumer's one use case: one batch of the FIFO queue → one run. A full message anywhere in
 * the batch makes it a full run; otherwise every subject of every message, once. The run is the only
 * writer: one message group means Lambda hands over the next batch only when this one is done ("Messages
 * within the same message group are always processed one at a time, in strict order", SQS FIFO key
 * terms), so a targeted run never races a full one.
 *
 * Failures (partial batch responses, with `ReportBatchItemFailures` on the event source mapping): the
 * batch is one run, so a run that throws (an infrastructure failure) fails every message of the batch.
 * For FIFO queues the function "should stop processing messages after the first failure and return all
 * failed and unprocessed messages in batchItemFailures" (AWS Prescriptive Guidance, partial batch
 * responses), which one run for the whole batch does by construction. The messages come back after the
 * visibility timeout, and go to the dead-letter queue after `maxReceiveCount` tries. A run that ends
 * with problems it reported itself (rules errors, a guard, failed changes) is not retried: it alerted,
 * and the next scheduled run converges.
 */
import type { SyncScope } from "../sync/run-scope.js";
import type { EventLogger } from "./ports.js";
import { type BatchRecord, planBatch } from "./queue-message.js";

export interface SqsBatchEvent {
  Records: BatchRecord[];
}

/** Lambda's partial batch response. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface RunOutcome {
  ok: boolean;
  status: string;
}

export interface ConsumerDependencies {
  /** Runs one sync for this scope (the same use case as the scheduled run). Throws on infrastructure failure. */
  run(scope: SyncScope): Promise<RunOutcome>;
  logger: EventLogger;
}

export async function consumeBatch(event: SqsBatchEvent, deps: ConsumerDependencies): Promise<BatchResponse> {
  const records = Array.isArray(event?.Records) ? event.Records : [];
  const plan = planBatch(records);
  for (const bad of plan.malformed) {
    deps.logger.error("queue message dropped: it cannot be read (the next scheduled run covers it)", bad);
  }
  for (const ignored of plan.ignored) deps.logger.info("queue message names nothing to do", ignored);
  deps.logger.info("batch received", {
    messages: records.length,
    ...plan.counts,
    run: plan.scope === undefined ? "none" : plan.scope.kind,
    ...(plan.scope?.kind === "targeted" ? { subjects: plan.scope.subjects.length } : {}),
  });
  if (plan.scope === undefined) return { batchItemFailures: [] };
  try {
    const outcome = await deps.run(plan.scope);
    deps.logger.info("batch run finished", {
      scope: plan.scope.kind,
      ok: outcome.ok,
      status: outcome.status,
    });
    return { batchItemFailures: [] };
  } catch (error) {
    deps.logger.error("batch run failed; the batch comes back after the visibility timeout", {
      error: (error as Error).message,
    });
    return { batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })) };
  }
}
