/**
 * Runs the SQS emulator until killed, with the event path's two queues made as deploy/serverless/events.yml
 * makes them (`npm run invoke:local -- --kind google-push|cloudtrail|sqs` starts it):
 *   npx tsx tests/emulators/aws/sqs/main.ts
 * Prints the emulator's URL, then the queue's URL.
 */
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startSqsEmulator } from "./sqs-emulator.js";

const emulator = await startSqsEmulator();
const client = new SQSClient({
  endpoint: emulator.url,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
});
await client.send(
  new CreateQueueCommand({
    QueueName: "idc-sync-local-dead-letters.fifo",
    Attributes: { FifoQueue: "true" },
  }),
);
const created = await client.send(
  new CreateQueueCommand({
    QueueName: "idc-sync-local.fifo",
    Attributes: {
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      VisibilityTimeout: "5400",
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: emulator.queue("idc-sync-local-dead-letters.fifo").arn,
        maxReceiveCount: 3,
      }),
    },
  }),
);
client.destroy();
console.log(emulator.url);
console.log(created.QueueUrl);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
