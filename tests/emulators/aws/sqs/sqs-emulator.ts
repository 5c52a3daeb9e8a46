/**
 * Amazon SQS for the event path's tests, in the protocol @aws-sdk/client-sqs v3 speaks today: AWS JSON 1.0
 * (`Content-Type: application/x-amz-json-1.0`, `X-Amz-Target: AmazonSQS.<Operation>`; the client's
 * protocol settings: `serviceTarget: "AmazonSQS"`, `awsQueryCompatible: true`, so errors also carry the
 * `x-amzn-query-error` header the old query protocol had). The SDK sends each request to the host of its
 * QueueUrl, so queue URLs name this server.
 *
 * Operations: CreateQueue, GetQueueUrl, GetQueueAttributes, SendMessage, ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility. Behaviour follows the SQS API reference and developer guide:
 * - FIFO (`FifoQueue: "true"`, a name ending ".fifo"): SendMessage needs `MessageGroupId`; a message
 *   needs a `MessageDeduplicationId` or the queue's `ContentBasedDeduplication` ("SQS uses a SHA-256 hash
 *   to generate the MessageDeduplicationId using the body of the message"); "If multiple messages with
 *   the same deduplication ID are sent within a 5 minute deduplication interval ... only one copy is
 *   delivered" (FIFO key terms), the duplicate being "accepted successfully".
 * - "Messages within the same message group are always processed one at a time, in strict order": a
 *   group with a message in flight gives no other message until it is deleted or visible again.
 * - MaxNumberOfMessages 1 to 10; VisibilityTimeout per queue or per receive.
 * - RedrivePolicy `{"deadLetterTargetArn", "maxReceiveCount"}`: a message received more than
 *   maxReceiveCount times goes to the dead-letter queue, which for a FIFO queue must be FIFO too.
 * - MD5OfMessageBody (SendMessage) and MD5OfBody (ReceiveMessage), which the SDK checks.
 * Not implemented: long polling (WaitTimeSeconds answers at once), batches, attributes other than those
 * listed, standard-queue fair groups, permissions.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface SqsMessage {
  messageId: string;
  body: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber: string;
  sentAt: number;
  receiveCount: number;
  /** Unix ms until which the message is in flight. */
  invisibleUntil: number;
  receiptHandle?: string;
}

export interface SqsQueue {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  visibilityTimeoutSeconds: number;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  messages: SqsMessage[];
  /** deduplication id → when it was first sent and the message id. */
  deduplication: Map<string, { at: number; messageId: string }>;
  /** How many SendMessage calls each queue took (duplicates included). */
  sendCalls: number;
}

export interface SqsEmulator {
  url: string;
  queues: Map<string, SqsQueue>;
  queue(name: string): SqsQueue;
  /** Operation name → count. */
  counts: Map<string, number>;
  close(): Promise<void>;
}

export interface SqsEmulatorOptions {
  now?: () => number;
  accountId?: string;
  region?: string;
}

const deduplicationIntervalMs = 5 * 60 * 1000;

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const now = options.now ?? Date.now;
  const accountId = options.accountId ?? "000000000000";
  const region = options.region ?? "us-east-1";
  const queues = new Map<string, SqsQueue>();
  const counts = new Map<string, number>();
  let sequence = 10_000_000_000_000_000_000n;
  let base = "";

  const byUrl = (input: Record<string, unknown>): SqsQueue => {
    const url = input.QueueUrl;
    if (typeof url !== "string") throw missing("QueueUrl");
    const name = url.split("/").pop() ?? "";
    const queue = queues.get(name);
    if (!queue || queue.url !== url) {
      throw new SqsError(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
      );
    }
    return queue;
  };

  const handlers: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateQueue: (input) => {
      const name = String(input.QueueName ?? "");
      if (!/^[A-Za-z0-9_-]{1,75}(\.fifo)?$/.test(name))
        throw invalid("InvalidParameterValue", `Invalid QueueName ${name}`);
      const attributes = (input.Attributes ?? {}) as Record<string, string>;
      const fifo = attributes.FifoQueue === "true";
      // "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix".
      if (fifo !== name.endsWith(".fifo"))
        throw invalid("InvalidParameterValue", "The name of a FIFO queue must end with the .fifo suffix.");
      const existing = queues.get(name);
      if (existing) return { QueueUrl: existing.url };
      let redrive: SqsQueue["redrive"];
      if (attributes.RedrivePolicy) {
        const policy = JSON.parse(attributes.RedrivePolicy) as {
          deadLetterTargetArn?: string;
          maxReceiveCount?: number | string;
        };
        const target = [...queues.values()].find((queue) => queue.arn === policy.deadLetterTargetArn);
        const maxReceiveCount = Number(policy.maxReceiveCount);
        if (!target || !Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
          throw invalid("InvalidParameterValue", "Value for parameter RedrivePolicy is invalid.");
        }
        // "The dead-letter queue of a FIFO queue must also be a FIFO queue."
        if (target.fifo !== fifo)
          throw invalid(
            "InvalidParameterValue",
            "Dead-letter target must be of the same type as the source queue.",
          );
        redrive = { deadLetterTargetArn: target.arn, maxReceiveCount };
      }
      const queue: SqsQueue = {
        name,
        url: `${base}/${accountId}/${name}`,
        arn: `arn:aws:sqs:${region}:${accountId}:${name}`,
        fifo,
        contentBasedDeduplication: attributes.ContentBasedDeduplication === "true",
        visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout ?? 30),
        ...(redrive ? { redrive } : {}),
        messages: [],
        deduplication: new Map(),
        sendCalls: 0,
      };
      queues.set(name, queue);
      return { QueueUrl: queue.url };
    },
    GetQueueUrl: (input) => {
      const queue = queues.get(String(input.QueueName ?? ""));
      if (!queue)
        throw new SqsError(
          "QueueDoesNotExist",
          "AWS.SimpleQueueService.NonExistentQueue",
          "The specified queue does not exist.",
        );
      return { QueueUrl: queue.url };
    },
    GetQueueAttributes: (input) => {
      const queue = byUrl(input);
      const at = now();
      return {
        Attributes: {
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.invisibleUntil <= at).length),
          ApproximateNumberOfMessagesNotVisible: String(
            queue.messages.filter((m) => m.invisibleUntil > at).length,
          ),
        },
      };
    },
    SendMessage: (input) => {
      const queue = byUrl(input);
      queue.sendCalls += 1;
      const body = input.MessageBody;
      if (typeof body !== "string" || body.length === 0) throw missing("MessageBody");
      // "The maximum is 262,144 bytes (256 KiB)."
      if (Buffer.byteLength(body) > 262_144)
        throw invalid(
          "InvalidParameterValue",
          "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
        );
      const md5 = createHash("md5").update(body).digest("hex");
      if (!queue.fifo) {
        const message = enqueue(queue, body);
        return { MessageId: message.messageId, MD5OfMessageBody: md5 };
      }
      const groupId = input.MessageGroupId;
      if (typeof groupId !== "string" || groupId.length === 0) {
        throw invalid("MissingParameter", "The request must contain the parameter MessageGroupId.");
      }
      let deduplicationId =
        typeof input.MessageDeduplicationId === "string" ? input.MessageDeduplicationId : undefined;
      if (deduplicationId === undefined) {
        if (!queue.contentBasedDeduplication) {
          throw invalid(
            "InvalidParameterValue",
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
          );
        }
        deduplicationId = createHash("sha256").update(body).digest("hex");
      }
      const at = now();
      const seen = queue.deduplication.get(deduplicationId);
      if (seen && at - seen.at < deduplicationIntervalMs) {
        return { MessageId: seen.messageId, MD5OfMessageBody: md5, SequenceNumber: String(sequence) };
      }
      const message = enqueue(queue, body, groupId, deduplicationId);
      queue.deduplication.set(deduplicationId, { at, messageId: message.messageId });
      return { MessageId: message.messageId, MD5OfMessageBody: md5, SequenceNumber: message.sequenceNumber };
    },
    ReceiveMessage: (input) => {
      const queue = byUrl(input);
      const max = input.MaxNumberOfMessages === undefined ? 1 : Number(input.MaxNumberOfMessages);
      if (!Number.isInteger(max) || max < 1 || max > 10) {
        throw invalid(
          "InvalidParameterValue",
          `Value ${String(input.MaxNumberOfMessages)} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
        );
      }
      const visibility =
        input.VisibilityTimeout === undefined
          ? queue.visibilityTimeoutSeconds
          : Number(input.VisibilityTimeout);
      const at = now();
      const taken: SqsMessage[] = [];
      const blockedGroups = new Set(
        queue.messages.filter((m) => m.invisibleUntil > at && m.groupId !== undefined).map((m) => m.groupId),
      );
      for (const message of [...queue.messages]) {
        if (taken.length >= max) break;
        if (message.invisibleUntil > at) continue;
        if (queue.fifo && blockedGroups.has(message.groupId)) continue;
        if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
          moveToDeadLetter(queue, message);
          continue;
        }
        message.receiveCount += 1;
        message.invisibleUntil = at + visibility * 1000;
        message.receiptHandle = randomUUID();
        taken.push(message);
      }
      // A FIFO receive gives messages of one group in order; the group stays blocked while any is in flight.
      return {
        Messages: taken.map((message) => ({
          MessageId: message.messageId,
          ReceiptHandle: message.receiptHandle,
          MD5OfBody: createHash("md5").update(message.body).digest("hex"),
          Body: message.body,
          Attributes: {
            ApproximateReceiveCount: String(message.receiveCount),
            SentTimestamp: String(message.sentAt),
            ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
            ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
            SequenceNumber: message.sequenceNumber,
          },
        })),
      };
    },
    DeleteMessage: (input) => {
      const queue = byUrl(input);
      const handle = input.ReceiptHandle;
      if (typeof handle !== "string") throw missing("ReceiptHandle");
      const index = queue.messages.findIndex((m) => m.receiptHandle === handle);
      if (index < 0)
        throw invalid(
          "ReceiptHandleIsInvalid",
          `The input receipt handle "${handle}" is not a valid receipt handle.`,
        );
      queue.messages.splice(index, 1);
      return {};
    },
    ChangeMessageVisibility: (input) => {
      const queue = byUrl(input);
      const message = queue.messages.find((m) => m.receiptHandle === input.ReceiptHandle);
      if (!message)
        throw invalid("ReceiptHandleIsInvalid", "The input receipt handle is not a valid receipt handle.");
      message.invisibleUntil = now() + Number(input.VisibilityTimeout ?? 0) * 1000;
      return {};
    },
  };

  function enqueue(queue: SqsQueue, body: string, groupId?: string, deduplicationId?: string): SqsMessage {
    sequence += 1n;
    const message: SqsMessage = {
      messageId: randomUUID(),
      body,
      ...(groupId ? { groupId } : {}),
      ...(deduplicationId ? { deduplicationId } : {}),
      sequenceNumber: String(sequence),
      sentAt: now(),
      receiveCount: 0,
      invisibleUntil: 0,
    };
    queue.messages.push(message);
    return message;
  }

  function moveToDeadLetter(queue: SqsQueue, message: SqsMessage): void {
    const target = [...queues.values()].find(
      (candidate) => candidate.arn === queue.redrive?.deadLetterTargetArn,
    );
    queue.messages.splice(queue.messages.indexOf(message), 1);
    if (target) target.messages.push({ ...message, invisibleUntil: 0, receiveCount: 0 });
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"] ?? "");
      const operation = target.startsWith("AmazonSQS.") ? target.slice("AmazonSQS.".length) : "";
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { "Content-Type": "application/x-amz-json-1.0", ...headers });
        response.end(JSON.stringify(body));
      };
      try {
        const handler = handlers[operation];
        if (!handler || request.headers["content-type"] !== "application/x-amz-json-1.0") {
          throw new SqsError(
            "UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation",
            `Unknown operation ${target}`,
          );
        }
        const input = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
        send(200, handler(input));
      } catch (error) {
        if (error instanceof SqsError) {
          send(
            error.status,
            { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
            { "x-amzn-query-error": `${error.queryCode};Sender` },
          );
        } else {
          send(500, { __type: "com.amazonaws.sqs#InternalError", message: (error as Error).message });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    queues,
    counts,
    queue: (name) => {
      const queue = queues.get(name);
      if (!queue) throw new Error(`no queue ${name}`);
      return queue;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function missing(field: string): SqsError {
  return new SqsError(
    "MissingParameter",
    "MissingParameter",
    `The request must contain the parameter ${field}.`,
  );
}

function invalid(type: string, message: string): SqsError {
  return new SqsError(type, type, message);
}
