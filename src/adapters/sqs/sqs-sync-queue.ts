/**
 * The one FIFO queue every run goes through, written with the SQS SDK (AWS JSON 1.0, `AmazonSQS.SendMessage`).
 * Every message takes the one message group, so runs are serialised by the queue itself; a message without
 * its own deduplication id is deduplicated by content (the queue has ContentBasedDeduplication, which
 * EventBridge needs for its FIFO targets too).
 */
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SyncQueue } from "../../events/ports.js";
import { encodeQueueMessage, type QueueMessage, syncMessageGroupId } from "../../events/queue-message.js";

export class SqsSyncQueue implements SyncQueue {
  constructor(private readonly options: { client: SQSClient; queueUrl: string }) {}

  async send(message: QueueMessage, deduplicationId?: string): Promise<void> {
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: encodeQueueMessage(message),
        MessageGroupId: syncMessageGroupId,
        ...(deduplicationId ? { MessageDeduplicationId: deduplicationId } : {}),
      }),
    );
  }
}
