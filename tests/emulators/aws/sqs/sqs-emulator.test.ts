import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { drain } from "./lambda-sqs-poller.js";
import { type SqsEmulator, startSqsEmulator } from "./sqs-emulator.js";

describe("the SQS emulator through @aws-sdk/client-sqs", () => {
  let emulator: SqsEmulator;
  let client: SQSClient;
  let clock = 1_000_000;
  let queueUrl: string;

  beforeEach(async () => {
    clock = 1_000_000;
    emulator = await startSqsEmulator({ now: () => clock });
    client = new SQSClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const dlq = await client.send(
      new CreateQueueCommand({ QueueName: "dlq.fifo", Attributes: { FifoQueue: "true" } }),
    );
    queueUrl = (
      await client.send(
        new CreateQueueCommand({
          QueueName: "sync.fifo",
          Attributes: {
            FifoQueue: "true",
            ContentBasedDeduplication: "true",
            VisibilityTimeout: "60",
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: emulator.queue("dlq.fifo").arn,
              maxReceiveCount: 2,
            }),
          },
        }),
      )
    ).QueueUrl as string;
    expect(dlq.QueueUrl).toContain("/dlq.fifo");
  });

  afterEach(async () => {
    client.destroy();
    await emulator.close();
  });

  it("speaks AWS JSON 1.0 with the AmazonSQS target, and the SDK's MD5 checks pass", async () => {
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "hello", MessageGroupId: "g" }),
    );
    expect(sent.MessageId).toBeTruthy();
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages?.map((m) => m.Body)).toEqual(["hello"]);
    expect(emulator.counts.get("SendMessage")).toBe(1);
  });

  it("refuses a FIFO message without a group, and without a deduplication id on a queue without content-based deduplication", async () => {
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x" })),
    ).rejects.toThrow(/MessageGroupId/);
    const plain = (
      await client.send(
        new CreateQueueCommand({ QueueName: "plain.fifo", Attributes: { FifoQueue: "true" } }),
      )
    ).QueueUrl as string;
    await expect(
      client.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: "x", MessageGroupId: "g" })),
    ).rejects.toThrow(/ContentBasedDeduplication/);
  });

  it("delivers one copy of messages with the same deduplication id within 5 minutes, and again after", async () => {
    for (let i = 0; i < 3; i += 1) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: `b${i}`,
          MessageGroupId: "g",
          MessageDeduplicationId: "same",
        }),
      );
    }
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "content", MessageGroupId: "g" }),
    );
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "content", MessageGroupId: "g" }),
    );
    expect(emulator.queue("sync.fifo").messages.map((m) => m.body)).toEqual(["b0", "content"]);
    clock += 5 * 60 * 1000 + 1;
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "content", MessageGroupId: "g" }),
    );
    expect(emulator.queue("sync.fifo").messages).toHaveLength(3);
  });

  it("gives nothing more of a message group while one of its messages is in flight", async () => {
    for (const body of ["1", "2", "3"])
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: "g" }),
      );
    const first = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 2 }),
    );
    const second = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(first.Messages?.map((m) => m.Body)).toEqual(["1", "2"]);
    expect(second.Messages ?? []).toEqual([]);
    clock += 61_000;
    const again = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(again.Messages?.map((m) => m.Body)).toEqual(["1", "2", "3"]);
  });

  // The messages behind the failed one in its batch are failed with it (FIFO order), so they are received
  // as often and reach the dead-letter queue with it: why the consumer never fails one message alone.
  it("moves messages that keep failing to the FIFO dead-letter queue after maxReceiveCount, unblocking the group", async () => {
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "poison", MessageGroupId: "g" }),
    );
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "fine", MessageGroupId: "g" }),
    );
    const handled: string[] = [];
    const handler = async (event: { Records: { messageId: string; body: string }[] }) => {
      handled.push(...event.Records.map((r) => r.body));
      const poison = event.Records.findIndex((r) => r.body === "poison");
      // FIFO: the failed message and every one after it.
      return {
        batchItemFailures:
          poison < 0 ? [] : event.Records.slice(poison).map((r) => ({ itemIdentifier: r.messageId })),
      };
    };
    for (let round = 0; round < 3; round += 1) {
      await drain(client, queueUrl, handler);
      clock += 61_000;
    }
    expect(emulator.queue("dlq.fifo").messages.map((m) => m.body)).toEqual(["poison", "fine"]);
    expect(emulator.queue("sync.fifo").messages).toEqual([]);
    await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "next", MessageGroupId: "g" }),
    );
    await drain(client, queueUrl, handler);
    expect(handled.at(-1)).toBe("next");
  });
});
