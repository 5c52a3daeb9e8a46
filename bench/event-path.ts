/**
 * The event path's benchmark (issue #14 point 6), wired as tests/integration/events/event-path.test.ts
 * wires it: the Google emulator pushes to the receiver over HTTP, the receiver enqueues on the SQS
 * emulator's FIFO queue through the real SQS client, a Lambda-like poller hands batches (at most 10, FIFO)
 * to the queue consumer, and the consumer runs the sync with the real Google and AWS adapters against the
 * emulators, the run state in the DynamoDB emulator and Slack replaced by the webhook sink.
 *
 * Two measurements, at the real rate limits × the time factor (the AWS emulator throttles at the
 * documented limits × factor, the adapters keep to their own × factor, as in run-benchmark.ts):
 * - leavers: a person suspended in Google, from the first push notification's arrival at the receiver to
 *   the last AWS write about them (their DeleteUser, which the apply makes after their memberships and
 *   assignments), one leaver at a time and as a burst; and a burst of notifications for one person, to
 *   count the runs it costs (coalescing);
 * - drift: a membership added by hand, its CloudTrail event put on the queue as the drift rule does, to
 *   the Slack post. A membership event names only its member (src/events/cloudtrail.ts,
 *   `membershipSubjects`), so this is a targeted run's time for that person.
 *
 * The poller runs all the time, as Lambda's event source mapping does: a batch is whatever is on the
 * queue when it receives, so a notification arriving while a run is busy waits for the next batch.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateGroupMembershipCommand } from "@aws-sdk/client-identitystore";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AwsAccountDirectory } from "../src/adapters/aws/aws-account-directory.js";
import { AwsIdentityCenter } from "../src/adapters/aws/aws-identity-center.js";
import { defaultAwsLimits, processRateBuckets } from "../src/adapters/aws/limits.js";
import {
  accountsFromSnapshot,
  directoryFromSnapshot,
  directorySnapshotSchema,
} from "../src/adapters/file/directory-snapshot.js";
import { loadRules } from "../src/adapters/file/rules-file.js";
import { googleDirectoryDefaults } from "../src/adapters/google/google-directory-source.js";
import { createGoogleWatchApi } from "../src/adapters/google/google-watch-api.js";
import { createGoogleDirectorySource } from "../src/adapters/google/index.js";
import { scaleAwsRates } from "../src/adapters/rate-scale.js";
import { SlackNotifier } from "../src/adapters/slack/slack-notifier.js";
import { SqsSyncQueue } from "../src/adapters/sqs/sqs-sync-queue.js";
import { DynamoDbChannelStore } from "../src/adapters/state/dynamodb-channel-store.js";
import { DynamoDbStateStore } from "../src/adapters/state/dynamodb-state-store.js";
import { defaultWatchTargets, renewChannels } from "../src/events/channel-renewal.js";
import { receiveGoogleNotification } from "../src/events/push-receiver.js";
import { consumeBatch } from "../src/events/queue-consumer.js";
import { runQueuedScope, targetedRunCovers } from "../src/handlers/queued-run.js";
import type { SyncHandlerDependencies, SyncLogger } from "../src/handlers/sync-invocation.js";
import { evaluate } from "../src/mapping/index.js";
import type { SyncScope } from "../src/sync/run-scope.js";
import { type AwsEmulator, startAwsEmulator } from "../tests/emulators/aws/emulator.js";
import { pollOnce } from "../tests/emulators/aws/sqs/lambda-sqs-poller.js";
import { type SqsEmulator, startSqsEmulator } from "../tests/emulators/aws/sqs/sqs-emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../tests/emulators/google-directory/emulator.js";
import { startWebhookSink, type WebhookSink } from "../tests/emulators/slack/webhook-sink.js";
import { identityCenterUserActor, identityStoreEvents } from "../tests/fixtures/events/cloudtrail-events.js";
import { clientsFor } from "../tests/integration/aws/harness.js";
import type { CallCounts } from "./lower-bound.js";
import { documentedRates } from "./rates.js";
import { googleOperation } from "./run-benchmark.js";
import { generateOrg, type OrgSize } from "./synthetic-org.js";

export const eventScenarioNames = ["eventLeavers", "eventDrift"] as const;
export type EventScenarioName = (typeof eventScenarioNames)[number];

const instanceArn = "arn:aws:sso:::instance/ssoins-72230000a1b2c3d4";
const identityStoreId = "d-9067a1b2c3";
const channelSecret = "channel-secret-channel-secret-channel-secret-0123456789";
const silent: SyncLogger = { info() {}, warn() {}, error() {}, appendKeys() {} };
const lambdaContext = { getRemainingTimeInMillis: () => 900_000 };
/** Seeding the company (two full runs) is not measured: rates this many times the real ones, no throttling. */
const seedScale = 1_000;

export interface EventPathOptions {
  sizeName: string;
  size: OrgSize;
  timeFactor: number;
  /** Leavers one at a time, and again as many in one burst. Default 20. */
  leavers?: number;
  /** Notifications for one person in the coalescing burst. Default 100. */
  burst?: number;
  scenarios?: readonly EventScenarioName[];
  log?: (line: string) => void;
}

export interface LatencyStats {
  count: number;
  /** Seconds, scaled to the real limits (measured × time factor). */
  p50: number;
  p95: number;
  max: number;
}

export interface RunRecord {
  /** The batch's scope, as the consumer read it. */
  scope: SyncScope["kind"];
  /** What runQueuedScope ran: a targeted scope naming an Identity Center group runs in full. */
  ranAs: "full" | "targeted";
  subjects: number;
  messages: number;
  /** Requests sent, retries of throttled ones included. */
  calls: number;
  /** Of those, answered with a throttling error by the AWS emulator (each retried). */
  throttled: number;
  seconds: number;
}

export interface LeaverBatchResult {
  leavers: number;
  notifications: number;
  runs: number;
  latency: LatencyStats;
  /** API calls (Google and AWS, retries included; not the run state table) of every run, ÷ leavers. */
  callsPerLeaver: number;
  /** The calls of the run that removed each leaver, when that run was about them alone. */
  removingRunCalls: number[];
  /** Throttled (and retried) requests in each of those runs, in the same order. */
  removingRunThrottled: number[];
  /** The calls of the costliest of those runs, by operation. */
  costliestRemovingRun: CallCounts;
  throttled: number;
  /** Every leaver has no user, membership or assignment left in Identity Center. */
  noAccessLeft: boolean;
}

export interface CoalescingResult {
  notifications: number;
  enqueued: number;
  runs: number;
  runsThatWrote: number;
  calls: number;
  latencySeconds: number;
  noAccessLeft: boolean;
}

export interface DriftResult {
  /** From the CloudTrail event's SendMessage to the Slack post answered 200, real-limit seconds. */
  secondsToSlack: number;
  /** From the same start to the DeleteGroupMembership that undid it. */
  secondsToUndo: number;
  runs: RunRecord[];
  calls: number;
  callsByOperation: CallCounts;
  slackMessages: number;
  slackText: string;
  undone: boolean;
}

export interface EventPathResult {
  size: string;
  org: OrgSize;
  timeFactor: number;
  oneAtATime?: LeaverBatchResult;
  burst?: LeaverBatchResult;
  coalescing?: CoalescingResult;
  /** The same burst arriving while the consumer is busy: it waits on the queue and is taken 10 at a time. */
  coalescingWhileBusy?: CoalescingResult;
  drift?: DriftResult;
  workDir: string;
}

interface RecordedWrite {
  operation: string;
  input: Record<string, unknown>;
  at: number;
}

/** A pass-through proxy in front of the AWS emulator that notes when each Identity Center write was answered. */
async function startWriteRecorder(target: string): Promise<{
  url: string;
  writes: RecordedWrite[];
  close(): Promise<void>;
}> {
  const writes: RecordedWrite[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const forwarded = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
          answer.on("end", () => {
            const targetHeader = String(incoming.headers["x-amz-target"] ?? "");
            const operation = targetHeader.split(".").pop() ?? "";
            const isIdentityCenter = /^(AWSIdentityStore|SWBExternalService)\./.test(targetHeader);
            if (
              isIdentityCenter &&
              answer.statusCode === 200 &&
              !/^(List|Describe|Get|IsMember)/.test(operation)
            ) {
              let input: Record<string, unknown> = {};
              try {
                input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
              } catch {}
              writes.push({ operation, input, at: performance.now() });
            }
          });
        },
      );
      forwarded.on("error", (error) => outgoing.destroy(error));
      forwarded.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    writes,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

function stats(seconds: readonly number[]): LatencyStats {
  return {
    count: seconds.length,
    p50: percentile(seconds, 50),
    p95: percentile(seconds, 95),
    max: seconds.length === 0 ? 0 : Math.max(...seconds),
  };
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export async function runEventPathBenchmark(options: EventPathOptions): Promise<EventPathResult> {
  const log = options.log ?? (() => {});
  const factor = options.timeFactor;
  const leaverCount = options.leavers ?? 20;
  const burstSize = options.burst ?? 100;
  const scenarios = options.scenarios ?? eventScenarioNames;
  const workDir = await mkdtemp(join(tmpdir(), `idc-sync-bench-events-${options.sizeName}-`));
  const org = generateOrg(options.size);
  const rulesYaml = org.rulesYaml.replace(
    "version: 1\n",
    `version: 1\nidentityCenter:\n  instanceArn: ${instanceArn}\n  identityStoreId: ${identityStoreId}\n`,
  );
  const rulesPath = join(workDir, "rules.yaml");
  await writeFile(rulesPath, rulesYaml);
  for (const [file, content] of Object.entries(org.ruleFiles)) {
    await mkdir(dirname(join(workDir, file)), { recursive: true });
    await writeFile(join(workDir, file), content);
  }
  const snapshot = directorySnapshotSchema.parse(org.snapshot);
  const loaded = await loadRules(rulesPath);
  if (!loaded.ok)
    throw new Error(`generated rules are invalid: ${JSON.stringify(loaded.issues.slice(0, 3))}`);
  const evaluation = evaluate(directoryFromSnapshot(snapshot), loaded.rules, accountsFromSnapshot(snapshot));
  if (!evaluation.ok) throw new Error("the synthetic rules do not fit the synthetic directory");
  const desired = evaluation.desired;

  const googleNow = Date.now();
  const google: GoogleDirectoryEmulator = await startGoogleDirectoryEmulator({
    snapshot,
    push: { acceptHttpAddresses: true, now: () => googleNow, sleep: async () => {} },
  });
  const aws: AwsEmulator = await startAwsEmulator({
    instanceArn,
    identityStoreId,
    ...(snapshot.organization ? { organization: snapshot.organization } : {}),
    // Each asynchronous request succeeds on its first status poll, as in run-benchmark.ts.
    asyncPolls: 0,
  });
  const recorder = await startWriteRecorder(aws.url);
  const sqs: SqsEmulator = await startSqsEmulator();
  const sink: WebhookSink = await startWebhookSink();
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  const sqsClient = new SQSClient({ endpoint: sqs.url, region: "us-east-1", credentials });
  const dynamo = new DynamoDBClient({ endpoint: aws.url, region: "us-east-1", credentials });
  const clients = clientsFor({ url: recorder.url } as AwsEmulator);
  let receiver: Server | undefined;
  const result: EventPathResult = { size: options.sizeName, org: options.size, timeFactor: factor, workDir };

  try {
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
    // As deploy/serverless/events.yml makes the queue (see the end-to-end test).
    await sqsClient.send(
      new CreateQueueCommand({ QueueName: "idc-sync-dlq.fifo", Attributes: { FifoQueue: "true" } }),
    );
    const queueUrl = (
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
    const channels = new DynamoDbChannelStore({ client: dynamo, tableName: "state" });
    const queue = new SqsSyncQueue({ client: sqsClient, queueUrl });

    // The receiver behind its function URL; each arrival is noted with its body (it names the person).
    const arrivals: { at: number; body: string }[] = [];
    let enqueued = 0;
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", async () => {
        const body = Buffer.concat(chunks).toString("utf8");
        arrivals.push({ at: performance.now(), body: body.toLowerCase() });
        const answer = await receiveGoogleNotification(
          { method: request.method ?? "GET", headers: request.headers as Record<string, string>, body },
          { channels, queue, channelSecret: async () => channelSecret, logger: silent },
        );
        if (answer.outcome === "enqueued") enqueued += 1;
        response.statusCode = answer.status;
        response.end();
      });
    });
    await new Promise<void>((done) => receiver?.listen(0, "127.0.0.1", done));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/google`;

    const googleEnv = {
      IDC_SYNC_GOOGLE_ROOT_URL: google.url,
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
    };
    let scale = seedScale;
    const deps: SyncHandlerDependencies = {
      rulesPath,
      logger: silent,
      deadlineMarginMs: 120_000,
      // The production builders' settings, the rates × the current scale (IDC_SYNC_RATE_SCALE's meaning).
      buildPorts: async () => ({
        directory: createGoogleDirectorySource(googleEnv, {
          requestsPerSecond: googleDirectoryDefaults.requestsPerSecond * scale,
        }),
        // The production factory's buckets: shared by the process's runs (limits.ts processRateBuckets).
        accounts: new AwsAccountDirectory({
          organizations: clients.organizations,
          limits: scaleAwsRates(defaultAwsLimits, scale),
          rateBuckets: processRateBuckets(scaleAwsRates(defaultAwsLimits, scale)),
        }),
        identityCenter: new AwsIdentityCenter({
          identityStore: clients.identityStore,
          ssoAdmin: clients.ssoAdmin,
          instanceArn,
          identityStoreId,
          limits: scaleAwsRates(defaultAwsLimits, scale),
          rateBuckets: processRateBuckets(scaleAwsRates(defaultAwsLimits, scale)),
          pollIntervalMs: 1000 / scale,
        }),
      }),
      stateStore: new DynamoDbStateStore({ client: dynamo, tableName: "state" }),
      notifier: async () => new SlackNotifier({ webhookUrl: sink.url }),
    };

    // Calls to Google and to AWS (not the run state table, which is DynamoDB in the same emulator).
    const apiCalls = (): CallCounts => {
      const calls: CallCounts = {};
      for (const [key, count] of Object.entries(aws.counts().byOperation))
        if (!key.startsWith("dynamodb:")) calls[key] = count;
      for (const [path, count] of Object.entries(google.requestCounts())) {
        const key = `google:${googleOperation(path)}`;
        calls[key] = (calls[key] ?? 0) + count;
      }
      return calls;
    };
    const sum = (calls: CallCounts) => Object.values(calls).reduce((n, c) => n + c, 0);
    const minus = (after: CallCounts, before: CallCounts): CallCounts =>
      Object.fromEntries(
        Object.entries(after)
          .map(([key, count]) => [key, count - (before[key] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );

    // The event source mapping: polls all the time, one batch (≤ 10) → one run.
    const runs: (RunRecord & { callsByOperation: CallCounts; writesFrom: number; writesTo: number })[] = [];
    let busy = false;
    let stopped = false;
    /** While set, the poller receives nothing: the consumer is busy elsewhere (say, the schedule's full run). */
    let paused = false;
    const poller = (async () => {
      while (!stopped) {
        if (paused) {
          await sleep(5);
          continue;
        }
        busy = true;
        const polled = await pollOnce(sqsClient, queueUrl, (event) =>
          consumeBatch(event, {
            logger: silent,
            run: async (scope) => {
              const before = apiCalls();
              const throttledBefore = aws.counts().throttled;
              const writesFrom = recorder.writes.length;
              const started = performance.now();
              const outcome = await runQueuedScope(scope, lambdaContext, deps);
              const callsByOperation = minus(apiCalls(), before);
              runs.push({
                scope: scope.kind,
                ranAs:
                  scope.kind === "targeted" && scope.subjects.every(targetedRunCovers) ? "targeted" : "full",
                subjects: scope.kind === "targeted" ? scope.subjects.length : 0,
                messages: event.Records.length,
                calls: sum(callsByOperation),
                throttled: aws.counts().throttled - throttledBefore,
                seconds: ((performance.now() - started) / 1000) * factor,
                callsByOperation,
                writesFrom,
                writesTo: recorder.writes.length,
              });
              return outcome;
            },
          }),
        );
        busy = false;
        if (polled.delivered === 0) await sleep(5);
      }
    })();
    const idle = async () => {
      // Settled when the queue is empty and no run is going, twice in a row (a receive may be in flight).
      for (let quiet = 0; quiet < 2; ) {
        await sleep(20);
        const waiting = sqs.queue("idc-sync.fifo").messages.length;
        quiet = waiting === 0 && !busy ? quiet + 1 : 0;
      }
    };

    try {
      // Seed: the schedule's full run twice (the second records every person's Identity Store id in the
      // run state, as a deployment that has run for a while has), then the seven watch channels.
      log(`${options.sizeName} events: seeding ${desired.users.length} users through two full runs ...`);
      for (let i = 0; i < 2; i += 1) {
        await queue.send({ kind: "full", trigger: "schedule", at: new Date().toISOString() }, `seed-${i}`);
        await idle();
      }
      // The targeted runs measured below read what these runs saved (user ids, the groups' names): a
      // state that failed to save would make them costlier without any error, so check it is there.
      const seeded = (await deps.stateStore?.load())?.state;
      if (!seeded?.ownership || !seeded.knownGroups?.length)
        throw new Error("the seeding runs did not save the run state (see their warnings)");
      let channelNumber = 0;
      await renewChannels(
        { address: receiverUrl, targets: defaultWatchTargets },
        {
          channels,
          watch: createGoogleWatchApi(googleEnv),
          channelSecret: async () => channelSecret,
          logger: silent,
          now: () => googleNow,
          newChannelId: () => `idc-sync-${googleNow}-${++channelNumber}`,
        },
      );
      await google.push.channels.settle();
      await idle();

      // From here on, the real limits × the time factor.
      scale = factor;
      aws.faults.setThrottle({
        identityStore: documentedRates.identityStore,
        ssoAdmin: documentedRates.ssoAdmin,
        organizations: documentedRates.organizations,
        timeScale: factor,
      });
      runs.length = 0;

      const userIdOf = new Map(aws.state().users.map((user) => [user.userName.toLowerCase(), user.id]));
      const access = new Map<string, number>();
      for (const group of desired.groups)
        for (const member of group.members)
          access.set(member.userName.toLowerCase(), (access.get(member.userName.toLowerCase()) ?? 0) + 1);
      for (const assignment of desired.assignments)
        if (assignment.principalType === "USER")
          access.set(
            assignment.principalName.toLowerCase(),
            (access.get(assignment.principalName.toLowerCase()) ?? 0) + 1,
          );
      // The people with the most access go first: the costliest leavers.
      const candidates = [...access]
        .filter(([name]) => userIdOf.has(name))
        .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
        .map(([name]) => name);
      const driftPerson = candidates.pop();

      const hasNoAccess = (names: readonly string[]) => {
        const state = aws.state();
        const gone = new Set(names);
        return (
          !state.users.some((user) => gone.has(user.userName.toLowerCase())) &&
          !state.groups.some((group) => group.members?.some((member) => gone.has(member.toLowerCase()))) &&
          !state.assignments.some(
            (a) => a.principalType === "USER" && gone.has(a.principalName.toLowerCase()),
          )
        );
      };
      const deletedAt = (name: string): number | undefined =>
        recorder.writes.find(
          (write) => write.operation === "DeleteUser" && write.input.UserId === userIdOf.get(name),
        )?.at;
      const firstArrival = (name: string, from: number): number | undefined =>
        arrivals.slice(from).find((arrival) => arrival.body.includes(name))?.at;
      const throttledNow = () => aws.counts().throttled;

      const measureLeavers = async (names: string[], oneAtATime: boolean): Promise<LeaverBatchResult> => {
        const runsFrom = runs.length;
        const arrivalsFrom = arrivals.length;
        const throttledFrom = throttledNow();
        const latencies: number[] = [];
        const removingRunCalls: number[] = [];
        const removingRunThrottled: number[] = [];
        let costliestRemovingRun: CallCounts = {};
        const measure = (name: string) => {
          const end = deletedAt(name);
          const start = firstArrival(name, arrivalsFrom);
          if (end === undefined || start === undefined)
            throw new Error(`${name}: no ${end === undefined ? "DeleteUser" : "notification"} seen`);
          latencies.push(((end - start) / 1000) * factor);
          const index = recorder.writes.findIndex((write) => write.at === end);
          const run = runs.find((entry) => index >= entry.writesFrom && index < entry.writesTo);
          if (run && run.subjects === 1) {
            if (run.calls > Math.max(0, ...removingRunCalls)) costliestRemovingRun = run.callsByOperation;
            removingRunCalls.push(run.calls);
            removingRunThrottled.push(run.throttled);
          }
        };
        if (oneAtATime) {
          for (const name of names) {
            google.push.suspendUser(name);
            await google.push.channels.settle();
            await idle();
            measure(name);
          }
        } else {
          for (const name of names) google.push.suspendUser(name);
          await google.push.channels.settle();
          await idle();
          for (const name of names) measure(name);
        }
        const batchRuns = runs.slice(runsFrom);
        return {
          leavers: names.length,
          notifications: arrivals.length - arrivalsFrom,
          runs: batchRuns.length,
          latency: stats(latencies),
          callsPerLeaver: batchRuns.reduce((n, run) => n + run.calls, 0) / names.length,
          removingRunCalls,
          removingRunThrottled,
          costliestRemovingRun,
          throttled: throttledNow() - throttledFrom,
          noAccessLeft: hasNoAccess(names),
        };
      };

      if (scenarios.includes("eventLeavers")) {
        const singles = candidates.slice(0, leaverCount);
        const burst = candidates.slice(leaverCount, 2 * leaverCount);
        const coalesced = candidates[2 * leaverCount];
        const coalescedWhileBusy = candidates[2 * leaverCount + 1];
        if (coalesced === undefined || coalescedWhileBusy === undefined)
          throw new Error("the organisation has too few people for this many leavers");
        log(`${options.sizeName} events: ${singles.length} leavers one at a time ...`);
        result.oneAtATime = await measureLeavers(singles, true);
        log(`${options.sizeName} events: ${burst.length} leavers in one burst ...`);
        result.burst = await measureLeavers(burst, false);

        // Coalescing: `burstSize` notifications about one person (edits, then the suspension: 2 more),
        // once as they come (the poller running) and once while the consumer is busy.
        const coalesce = async (person: string, whileBusy: boolean): Promise<CoalescingResult> => {
          log(
            `${options.sizeName} events: ${burstSize} notifications for ${person}${whileBusy ? " while the consumer is busy" : ""} ...`,
          );
          const runsFrom = runs.length;
          const arrivalsFrom = arrivals.length;
          const enqueuedFrom = enqueued;
          const callsFrom = apiCalls();
          if (whileBusy) {
            paused = true;
            while (busy) await sleep(5);
          }
          for (let i = 0; i < burstSize - 2; i += 1) google.push.updateUser(person, {});
          google.push.suspendUser(person);
          await google.push.channels.settle();
          paused = false;
          await idle();
          const start = firstArrival(person, arrivalsFrom);
          const end = deletedAt(person);
          const burstRuns = runs.slice(runsFrom);
          return {
            notifications: arrivals.length - arrivalsFrom,
            enqueued: enqueued - enqueuedFrom,
            runs: burstRuns.length,
            runsThatWrote: burstRuns.filter((run) => run.writesTo > run.writesFrom).length,
            calls: sum(minus(apiCalls(), callsFrom)),
            latencySeconds:
              start !== undefined && end !== undefined ? ((end - start) / 1000) * factor : Number.NaN,
            noAccessLeft: hasNoAccess([person]),
          };
        };
        result.coalescing = await coalesce(coalesced, false);
        result.coalescingWhileBusy = await coalesce(coalescedWhileBusy, true);
      }

      if (scenarios.includes("eventDrift")) {
        if (driftPerson === undefined) throw new Error("nobody to add to a group by hand");
        const state = aws.state();
        const group = state.groups.find((candidate) => !candidate.members?.includes(driftPerson));
        const userId = userIdOf.get(driftPerson);
        if (!group || !userId) throw new Error("no group to add the drift person to");
        log(`${options.sizeName} events: ${driftPerson} added to ${group.displayName} by hand ...`);
        // By hand: straight to the emulator, not through the recorder, as someone in the console would.
        const direct = clientsFor(aws);
        const { MembershipId } = await direct.identityStore.send(
          new CreateGroupMembershipCommand({
            IdentityStoreId: identityStoreId,
            GroupId: group.id,
            MemberId: { UserId: userId },
          }),
        );
        direct.identityStore.destroy();
        direct.ssoAdmin.destroy();
        direct.organizations.destroy();
        const event = identityStoreEvents.createGroupMembership(
          { identityStoreId, groupId: group.id, userId, membershipId: MembershipId as string },
          { actor: identityCenterUserActor("111111111111", "AdministratorAccess", "someone@example.com") },
        );
        const runsFrom = runs.length;
        const messagesFrom = sink.messages.length;
        const writesFrom = recorder.writes.length;
        const callsFrom = apiCalls();
        const started = performance.now();
        // What the drift rule does: the event unchanged onto the one message group.
        await sqsClient.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(event),
            MessageGroupId: "idc-sync",
          }),
        );
        let postedAt: number | undefined;
        while (postedAt === undefined) {
          if (sink.messages.length > messagesFrom) postedAt = performance.now();
          else if (runs.length > runsFrom && !busy && sqs.queue("idc-sync.fifo").messages.length === 0) break;
          else await sleep(5);
        }
        await idle();
        const undo = recorder.writes
          .slice(writesFrom)
          .find(
            (write) =>
              write.operation === "DeleteGroupMembership" && write.input.MembershipId === MembershipId,
          );
        const posted = sink.messages.slice(messagesFrom);
        const callsByOperation = minus(apiCalls(), callsFrom);
        result.drift = {
          secondsToSlack: postedAt === undefined ? Number.NaN : ((postedAt - started) / 1000) * factor,
          secondsToUndo: undo ? ((undo.at - started) / 1000) * factor : Number.NaN,
          runs: runs
            .slice(runsFrom)
            .map(({ scope, ranAs, subjects, messages, calls, throttled, seconds }) => ({
              scope,
              ranAs,
              throttled,
              subjects,
              messages,
              calls,
              seconds,
            })),
          calls: sum(callsByOperation),
          callsByOperation,
          slackMessages: posted.length,
          slackText: posted.map((message) => sink.textOf(message)).join("\n---\n"),
          undone: !aws.state().groups.some((g) => g.id === group.id && g.members?.includes(driftPerson)),
        };
      }
    } finally {
      stopped = true;
      await poller;
    }
  } finally {
    await new Promise<void>((done) => {
      if (!receiver) return done();
      receiver.close(() => done());
      receiver.closeAllConnections();
    });
    for (const client of Object.values(clients)) client.destroy();
    sqsClient.destroy();
    dynamo.destroy();
    await recorder.close();
    await sink.close();
    await google.close();
    await aws.close();
    await sqs.close();
  }
  return result;
}

export async function removeEventWorkDir(result: Pick<EventPathResult, "workDir">): Promise<void> {
  await rm(result.workDir, { recursive: true, force: true });
}
