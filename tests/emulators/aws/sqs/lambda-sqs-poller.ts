/**
 * Lambda's SQS event source mapping, as far as the event path relies on it, driving a handler from a queue
 * of the SQS emulator through the real SQS client:
 * - the event: `{"Records": [{messageId, receiptHandle, body, attributes: {ApproximateReceiveCount,
 *   SentTimestamp, SequenceNumber, MessageGroupId, MessageDeduplicationId, ...}, messageAttributes,
 *   md5OfBody, eventSource: "aws:sqs", eventSourceARN, awsRegion}]}` (Lambda developer guide, "Using
 *   Lambda with Amazon SQS", example standard and FIFO queue events);
 * - batch size: "For FIFO queues, the maximum is 10" (services-sqs-parameters);
 * - partial batch responses with ReportBatchItemFailures: the messages named in
 *   `batchItemFailures[].itemIdentifier` stay on the queue, the others are deleted; a handler that throws
 *   or answers something else fails the whole batch ("If your function throws an exception, the entire
 *   batch is considered failed"); an empty or null list means every message succeeded.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

export type SqsHandler = (event: { Records: SqsEventRecord[] }) => Promise<unknown>;

export interface PollResult {
  /** Records handed to the function (0 when the queue had nothing visible). */
  delivered: number;
  deleted: number;
  failed: number;
}

/** One poll: receive up to `batchSize`, invoke, delete what succeeded. */
export async function pollOnce(
  client: SQSClient,
  queueUrl: string,
  handler: SqsHandler,
  batchSize = 10,
): Promise<PollResult> {
  const received = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: batchSize,
      MessageSystemAttributeNames: ["All"],
    }),
  );
  const messages = received.Messages ?? [];
  if (messages.length === 0) return { delivered: 0, deleted: 0, failed: 0 };
  const arn = (
    await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes?.QueueArn as string;
  const records: SqsEventRecord[] = messages.map((message) => ({
    messageId: message.MessageId as string,
    receiptHandle: message.ReceiptHandle as string,
    body: message.Body as string,
    attributes: (message.Attributes ?? {}) as Record<string, string>,
    messageAttributes: {},
    md5OfBody: message.MD5OfBody as string,
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: arn.split(":")[3] as string,
  }));
  let failedIds: Set<string>;
  try {
    const answer = (await handler({ Records: records })) as {
      batchItemFailures?: { itemIdentifier?: string }[];
    } | null;
    failedIds = new Set((answer?.batchItemFailures ?? []).map((failure) => String(failure.itemIdentifier)));
  } catch {
    failedIds = new Set(records.map((record) => record.messageId));
  }
  let deleted = 0;
  for (const record of records) {
    if (failedIds.has(record.messageId)) continue;
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
    deleted += 1;
  }
  return { delivered: records.length, deleted, failed: records.length - deleted };
}

/** Polls until a poll delivers nothing; returns every poll's result. */
export async function drain(
  client: SQSClient,
  queueUrl: string,
  handler: SqsHandler,
  batchSize = 10,
): Promise<PollResult[]> {
  const results: PollResult[] = [];
  for (let polls = 0; polls < 10_000; polls += 1) {
    const result = await pollOnce(client, queueUrl, handler, batchSize);
    if (result.delivered === 0) return results;
    results.push(result);
  }
  throw new Error("the queue did not drain in 10,000 polls");
}
