/**
 * Issue #14 end to end in the emulators: the Google emulator pushes to the receiver (over HTTP, with
 * Google's headers), the receiver enqueues on the SQS emulator's FIFO queue through the real SQS client,
 * a Lambda-like poller hands batches to the queue consumer, and the consumer runs the sync with the real
 * Google and AWS adapters against the emulators. The channels are opened by the renewer through the real
 * Admin SDK client and kept in the run state table (DynamoDB emulator).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateGroupMembershipCommand } from "@aws-sdk/client-identitystore";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsAccountDirectory } from "../../../src/adapters/aws/aws-account-directory.js";
import { AwsIdentityCenter } from "../../../src/adapters/aws/aws-identity-center.js";
import { loadDirectorySnapshot } from "../../../src/adapters/file/directory-snapshot.js";
import { loadStateFile } from "../../../src/adapters/file/state-file.js";
import { createGoogleWatchApi } from "../../../src/adapters/google/google-watch-api.js";
import { createGoogleDirectorySource } from "../../../src/adapters/google/index.js";
import { SqsSyncQueue } from "../../../src/adapters/sqs/sqs-sync-queue.js";
import { DynamoDbChannelStore } from "../../../src/adapters/state/dynamodb-channel-store.js";
import { DynamoDbStateStore } from "../../../src/adapters/state/dynamodb-state-store.js";
import { defaultWatchTargets, renewChannels } from "../../../src/events/channel-renewal.js";
import { type PushOutcome, receiveGoogleNotification } from "../../../src/events/push-receiver.js";
import { consumeBatch } from "../../../src/events/queue-consumer.js";
import { runQueuedScope } from "../../../src/handlers/queued-run.js";
import type { SyncHandlerDependencies, SyncLogger } from "../../../src/handlers/sync-invocation.js";
import type { SyncScope } from "../../../src/sync/run-scope.js";
import { type AwsEmulator, startAwsEmulator } from "../../emulators/aws/emulator.js";
import { drain } from "../../emulators/aws/sqs/lambda-sqs-poller.js";
import { type SqsEmulator, startSqsEmulator } from "../../emulators/aws/sqs/sqs-emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../../emulators/google-directory/emulator.js";
import { identityCenterUserActor, identityStoreEvents } from "../../fixtures/events/cloudtrail-events.js";
import { clientsFor, quickSleep } from "../aws/harness.js";

const root = resolve(import.meta.dirname, "../../..");
const secret = "channel-secret-channel-secret-channel-secret-0123456789";
const silent: SyncLogger = { info() {}, warn() {}, error() {}, appendKeys() {} };
const lambda = { getRemainingTimeInMillis: () => 900_000 };

let google: GoogleDirectoryEmulator;
let aws: AwsEmulator;
let sqs: SqsEmulator;
let sqsClient: SQSClient;
let dynamo: DynamoDBClient;
let receiver: Server;
let receiverUrl: string;
let queueUrl: string;
let dir: string;
let googleNow: number;
const answers: { status: number; outcome: PushOutcome }[] = [];
const runs: SyncScope[] = [];

let channels: DynamoDbChannelStore;
let queue: SqsSyncQueue;

beforeAll(async () => {
  googleNow = Date.parse("2026-03-02T09:00:00Z");
  const snapshot = await loadDirectorySnapshot(join(root, "examples/directory.yaml"));
  google = await startGoogleDirectoryEmulator({
    snapshot,
    push: { acceptHttpAddresses: true, now: () => googleNow, sleep: async () => {} },
  });
  aws = await startAwsEmulator({
    state: await loadStateFile(join(root, "examples/identity-center.json")),
    ...(snapshot.organization ? { organization: snapshot.organization } : {}),
  });
  sqs = await startSqsEmulator();
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  sqsClient = new SQSClient({ endpoint: sqs.url, region: "us-east-1", credentials });
  dynamo = new DynamoDBClient({ endpoint: aws.url, region: "us-east-1", credentials });
  await dynamo.send(
    new CreateTableCommand({
      TableName: "state",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    }),
  );
  // As deploy/serverless/events.yml makes them: a FIFO dead-letter queue, and the queue with
  // content-based deduplication and the redrive policy.
  await sqsClient.send(
    new CreateQueueCommand({ QueueName: "idc-sync-dlq.fifo", Attributes: { FifoQueue: "true" } }),
  );
  queueUrl = (
    await sqsClient.send(
      new CreateQueueCommand({
        QueueName: "idc-sync.fifo",
        Attributes: {
          FifoQueue: "true",
          ContentBasedDeduplication: "true",
          VisibilityTimeout: "5400",
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: sqs.queue("idc-sync-dlq.fifo").arn,
            maxReceiveCount: 3,
          }),
        },
      }),
    )
  ).QueueUrl as string;
  channels = new DynamoDbChannelStore({ client: dynamo, tableName: "state" });
  queue = new SqsSyncQueue({ client: sqsClient, queueUrl });

  // The receiver behind its "function URL": the core use case over HTTP.
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const answer = await receiveGoogleNotification(
        {
          method: request.method ?? "GET",
          headers: request.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString("utf8"),
        },
        { channels, queue, channelSecret: async () => secret, logger: silent },
      );
      answers.push(answer);
      response.statusCode = answer.status;
      response.end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/google`;

  dir = await mkdtemp(join(tmpdir(), "idc-sync-events-"));
  await cp(join(root, "examples/policies"), join(dir, "policies"), { recursive: true });
  const rules = (await readFile(join(root, "examples/rules.yaml"), "utf8"))
    .replace(/^# yaml-language-server.*\n/m, "")
    .replace(/^\$schema:.*\n/m, "");
  await writeFile(join(dir, "rules.yaml"), rules, "utf8");
});

afterAll(async () => {
  await new Promise<void>((done) => {
    receiver.close(() => done());
    receiver.closeAllConnections();
  });
  sqsClient.destroy();
  dynamo.destroy();
  await google.close();
  await aws.close();
  await sqs.close();
  await rm(dir, { recursive: true, force: true });
});

const googleEnv = () => ({
  IDC_SYNC_GOOGLE_ROOT_URL: google.url,
  IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
});

function syncDependencies(): SyncHandlerDependencies {
  return {
    rulesPath: join(dir, "rules.yaml"),
    logger: silent,
    deadlineMarginMs: 60_000,
    buildPorts: async () => {
      const clients = clientsFor(aws);
      return {
        directory: createGoogleDirectorySource(googleEnv()),
        accounts: new AwsAccountDirectory({
          organizations: clients.organizations,
          limits: { organizationsPerSecond: 10_000 },
          sleep: quickSleep,
        }),
        identityCenter: new AwsIdentityCenter({
          identityStore: clients.identityStore,
          ssoAdmin: clients.ssoAdmin,
          instanceArn: aws.instanceArn,
          identityStoreId: aws.identityStoreId,
          limits: { identityStorePerSecond: 10_000, ssoAdminPerSecond: 10_000 },
          sleep: quickSleep,
          pollIntervalMs: 1,
        }),
      };
    },
    stateStore: new DynamoDbStateStore({ client: dynamo, tableName: "state" }),
  };
}

/** The queue consumer Lambda, as its event source mapping drives it (batch size 10). */
async function runTheQueue() {
  const deps = syncDependencies();
  return drain(sqsClient, queueUrl, (event) =>
    consumeBatch(event, {
      logger: silent,
      run: async (scope) => {
        runs.push(scope);
        return runQueuedScope(scope, lambda, deps);
      },
    }),
  );
}

async function renew() {
  let next = 0;
  return renewChannels(
    { address: receiverUrl, targets: defaultWatchTargets },
    {
      channels,
      watch: createGoogleWatchApi(googleEnv()),
      channelSecret: async () => secret,
      logger: silent,
      now: () => googleNow,
      newChannelId: () => `idc-sync-${googleNow}-${++next}`,
    },
  );
}

/** Writes to Identity Center itself (the run state table in the same emulator is written every run). */
const identityCenterWrites = () =>
  Object.entries(aws.counts().byOperation)
    .filter(([operation]) => /^(identitystore|sso-admin):(?!List|Describe|Get|IsMember)/.test(operation))
    .reduce((sum, [, count]) => sum + count, 0);

const userNamed = (userName: string) => aws.state().users.find((user) => user.userName === userName);
const accessOf = (userName: string) => {
  const state = aws.state();
  return {
    memberships: state.groups
      .filter((group) => group.members?.includes(userName))
      .map((group) => group.displayName),
    assignments: state.assignments.filter((a) => a.principalType === "USER" && a.principalName === userName),
  };
};

describe("the event path in the emulators", () => {
  it("runs the schedule's full sync through the queue and converges the company", async () => {
    await queue.send({ kind: "full", trigger: "schedule", at: "2026-03-02T09:00:00Z" });
    const polls = await runTheQueue();
    expect(polls).toEqual([{ delivered: 1, deleted: 1, failed: 0 }]);
    expect(runs).toEqual([{ kind: "full" }]);
    expect(userNamed("aiko.yamamoto@example.com")).toBeDefined();
    expect(accessOf("aiko.yamamoto@example.com").memberships.length).toBeGreaterThan(0);
  });

  it("opens the seven watch channels, keeps them in the run state table, and takes each one's sync message", async () => {
    const report = await renew();
    await google.push.channels.settle();
    expect(report.opened).toHaveLength(7);
    expect(google.push.channels.live().map((channel) => channel.address)).toEqual(Array(7).fill(receiverUrl));
    expect((await channels.list()).map((stored) => stored.record.watch).sort()).toEqual(
      [
        "directory:add",
        "directory:delete",
        "directory:makeAdmin",
        "directory:undelete",
        "directory:update",
        "reports:admin",
        "reports:groups_enterprise",
      ].sort(),
    );
    expect(answers.map((answer) => answer.outcome)).toEqual(Array(7).fill("sync"));
    expect(sqs.queue("idc-sync.fifo").messages).toEqual([]);
  });

  it("suspending a person in Google removes their memberships, assignments and user, in one run for both notifications", async () => {
    answers.length = 0;
    runs.length = 0;
    google.push.suspendUser("aiko.yamamoto@example.com");
    await google.push.channels.settle();
    // A Directory `update` and a Reports `SUSPEND_USER` activity, both for her.
    expect(answers.map((answer) => answer.outcome)).toEqual(["enqueued", "enqueued"]);

    const readsBefore = aws.counts().byOperation;
    const polls = await runTheQueue();
    expect(polls).toEqual([{ delivered: 2, deleted: 2, failed: 0 }]);
    expect(runs).toEqual([
      { kind: "targeted", subjects: [{ kind: "person", email: "aiko.yamamoto@example.com" }] },
    ]);
    // A targeted run: her user, memberships and assignments are read, not every user of the store.
    expect(aws.counts().byOperation["identitystore:ListUsers"] ?? 0).toBe(
      readsBefore["identitystore:ListUsers"] ?? 0,
    );
    expect(userNamed("aiko.yamamoto@example.com")).toBeUndefined();
    expect(accessOf("aiko.yamamoto@example.com")).toEqual({ memberships: [], assignments: [] });
  });

  it("a membership added by hand reaches the queue as a CloudTrail event and the run takes it out again", async () => {
    runs.length = 0;
    const state = aws.state();
    const group = state.groups.find((candidate) => candidate.displayName === "aws-admins");
    const user = state.users.find((candidate) => candidate.userName === "haruto.ito@example.com");
    if (!group || !user) throw new Error("the example company should have aws-admins and haruto.ito");
    const { MembershipId } = await clientsFor(aws).identityStore.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId: aws.identityStoreId,
        GroupId: group.id,
        MemberId: { UserId: user.id },
      }),
    );
    expect(accessOf("haruto.ito@example.com").memberships).toContain("aws-admins");
    // What the drift rule puts on the queue: the event unchanged, on the one message group.
    const event = identityStoreEvents.createGroupMembership(
      {
        identityStoreId: aws.identityStoreId,
        groupId: group.id,
        userId: user.id,
        membershipId: MembershipId as string,
      },
      { actor: identityCenterUserActor("111111111111", "AdministratorAccess", "someone@example.com") },
    );
    await sqsClient.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(event),
        MessageGroupId: "idc-sync",
      }),
    );
    const readsBefore = aws.counts().byOperation;
    await runTheQueue();
    // The member alone: their targeted run reads their memberships, sees this one and undoes it.
    expect(runs).toEqual([
      { kind: "targeted", subjects: [{ kind: "person", identityCenterUserId: user.id }] },
    ]);
    expect(aws.counts().byOperation["identitystore:ListUsers"] ?? 0).toBe(
      readsBefore["identitystore:ListUsers"] ?? 0,
    );
    expect(accessOf("haruto.ito@example.com").memberships).not.toContain("aws-admins");
  });

  it("refuses a forged notification with 401 and enqueues nothing", async () => {
    const [channel] = await channels.list();
    const response = await fetch(receiverUrl, {
      method: "POST",
      headers: {
        "X-Goog-Channel-ID": channel?.record.id ?? "",
        "X-Goog-Channel-Token": "forged",
        "X-Goog-Resource-ID": channel?.record.resourceId ?? "",
        "X-Goog-Resource-State": "update",
        "X-Goog-Message-Number": "999999",
      },
      body: JSON.stringify({
        kind: "admin#directory#user",
        id: "100001",
        primaryEmail: "kenji.watanabe@example.com",
      }),
    });
    expect(response.status).toBe(401);
    expect(sqs.queue("idc-sync.fifo").messages).toEqual([]);
  });

  it("a notification for a person outside the rules' scope changes nothing in Identity Center", async () => {
    answers.length = 0;
    google.push.suspendUser("masaru.fukuda@example.com");
    await google.push.channels.settle();
    expect(answers.some((answer) => answer.outcome === "enqueued")).toBe(true);
    const writesBefore = identityCenterWrites();
    const stateBefore = aws.state();
    await runTheQueue();
    expect(identityCenterWrites()).toBe(writesBefore);
    expect(aws.state()).toEqual(stateBefore);
  });

  it("renews channels before they expire and stops the ones they replace", async () => {
    const before = (await channels.list()).map((stored) => stored.record.id);
    googleNow += 5 * 3_600_000; // Reports channels last 6 hours: within the 90-minute margin now.
    const report = await renew();
    expect(report.opened).toHaveLength(2);
    expect(report.stopped).toHaveLength(2);
    const after = (await channels.list()).map((stored) => stored.record.id);
    expect(after).toHaveLength(7);
    expect(after.filter((id) => !before.includes(id))).toEqual(report.opened);
    expect(google.push.channels.live()).toHaveLength(7);
  });
});
