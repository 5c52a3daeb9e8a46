#!/usr/bin/env node
// `npm run invoke:local`: runs the BUNDLED Lambda handler (the very zip `osls deploy` uploads) with plain
// `node`, against the local Google Directory and AWS emulators serving the example company.
//
//   node scripts/invoke-local.mjs [--event FILE] [--kind KIND] [--bundle DIR] [--rounds N]
//
//   --event FILE   the event to invoke with (default tests/fixtures/events/scheduled.json: an apply)
//   --kind KIND    which function and what FILE holds (default sync):
//                  sync         the sync function, FILE its event (scheduled or manual payload)
//                  google-push  the push receiver, FILE a function URL event with Google's headers (a
//                               missing X-Goog-Channel-Token is signed with the local channel secret and the
//                               channel is registered); what it enqueues then runs through the queue consumer
//                  cloudtrail   the queue consumer, FILE an EventBridge "AWS API Call via CloudTrail" event,
//                               as the drift rule puts it on the queue
//                  sqs          the queue consumer, FILE an SQS event ({"Records": [...]})
//   --bundle DIR   an already unzipped package; without it, `osls package` builds one first
//   --rounds N     invoke N times in a row against the same emulators (default 2: converge, then no-op)
//
// The AWS emulator starts from the example Identity Center (a protected break-glass user and Control
// Tower group) in the organization of the example directory snapshot. It only reads that file and keeps
// its state in memory, so the second round sees what the first applied.
// Each invocation runs in its own `node` process (a cold start, as in Lambda), prints the handler's
// result on stdout and its peak RSS on stderr. The emulators start on free ports and stop at the end.
//
// Internal mode, used by the above and by tests/deploy: `node scripts/invoke-local.mjs handler DIR EVENT
// [ENTRY]` imports DIR/ENTRY (default src/handlers/sync-lambda.mjs) and calls the handler once with a Lambda-like
// context.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The function's timeout in serverless.yml; the local context counts down from it like Lambda's. */
const timeoutMs = 900_000;
/** A placeholder: locally the Google emulator's token is used and the secret is never read. */
const placeholderSecretArn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:idc-sync/local-AbCdEf";

/** The bundled entry of each kind. */
const entries = {
  sync: "src/handlers/sync-lambda.mjs",
  "google-push": "src/handlers/google-push-lambda.mjs",
  cloudtrail: "src/handlers/queue-consumer-lambda.mjs",
  sqs: "src/handlers/queue-consumer-lambda.mjs",
};

const localChannelSecret = "invoke-local-channel-secret-0123456789abcdefghijklmnopqrstuvwxyz";
const localStateTable = "idc-sync-local-state";

// Run only as a script: tests import `localHandlerEnv` from this file.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  if (process.argv[2] === "handler") await runHandlerOnce(process.argv[3], process.argv[4], process.argv[5]);
  else await main();
}

/** Child mode: one cold invocation of the bundled handler. */
async function runHandlerOnce(bundleDir, eventFile, entry = "src/handlers/sync-lambda.mjs") {
  if (!bundleDir || !eventFile) {
    process.stderr.write("usage: invoke-local.mjs handler BUNDLE_DIR EVENT_FILE\n");
    process.exit(2);
  }
  const event = JSON.parse(readFileSync(eventFile, "utf8"));
  const startedAt = Date.now();
  const context = {
    functionName: "idc-sync-local-sync",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:idc-sync-local-sync",
    memoryLimitInMB: "512",
    awsRequestId: `local-${startedAt}`,
    logGroupName: "/aws/lambda/idc-sync-local-sync",
    logStreamName: "local",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
  };
  const { handler } = await import(pathToFileURL(join(resolve(bundleDir), entry)).href);
  const result = await handler(event, context);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  // ru_maxrss is in kilobytes on Linux: the peak of this whole process, i.e. what Lambda's "Max Memory
  // Used" reports for one invocation.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stderr.write(`invoke-local: peak RSS ${peakRssMb} MB, ${Date.now() - startedAt} ms\n`);
}

async function main() {
  const { values } = parseArgs({
    options: {
      event: { type: "string", default: join(root, "tests/fixtures/events/scheduled.json") },
      bundle: { type: "string" },
      rounds: { type: "string", default: "2" },
      kind: { type: "string", default: "sync" },
    },
  });
  if (!Object.hasOwn(entries, values.kind)) {
    process.stderr.write(
      `invoke-local: --kind must be one of ${Object.keys(entries).join(", ")}, got ${values.kind}\n`,
    );
    process.exit(2);
  }
  const rounds = Number(values.rounds);
  const bundleDir = values.bundle ? resolve(values.bundle) : packageBundle();
  const directory = join(root, "examples/directory.yaml");

  const emulators = [];
  try {
    const google = await startEmulator("tests/emulators/google-directory/main.ts", [
      "--snapshot",
      directory,
      "--port",
      "0",
      "--token",
      "invoke-local-token",
    ]);
    emulators.push(google);
    const aws = await startEmulator("tests/emulators/aws/main.ts", [
      "--organization",
      directory,
      "--state",
      join(root, "examples/identity-center.json"),
      "--port",
      "0",
    ]);
    emulators.push(aws);
    const env = localHandlerEnv(bundleDir, {
      googleUrl: google.url,
      googleToken: "invoke-local-token",
      awsUrl: aws.url,
    });
    let failed = false;
    if (values.kind !== "sync") {
      const sqs = await startEmulator("tests/emulators/aws/sqs/main.ts", [], 2);
      emulators.push(sqs);
      failed = !(await runEventKind(
        values.kind,
        values.event,
        bundleDir,
        { ...env, ...(await eventEnv(aws.url, sqs.lines[1])) },
        rounds,
      ));
    }
    for (let round = 1; values.kind === "sync" && round <= rounds; round++) {
      process.stderr.write(`invoke-local: invocation ${round} of ${rounds} with ${values.event}\n`);
      const run = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), "handler", bundleDir, values.event],
        {
          env,
          stdio: ["ignore", "inherit", "inherit"],
        },
      );
      if (run.status !== 0) {
        failed = true;
        break;
      }
    }
    if (failed) process.exitCode = 1;
  } finally {
    for (const emulator of emulators) emulator.stop();
  }
}

/** The Lambda environment of serverless.yml, with the emulators in place of Google and AWS. */
export function localHandlerEnv(bundleDir, { googleUrl, googleToken, awsUrl }) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LAMBDA_TASK_ROOT: bundleDir,
    // Lambda sets it; the function's metrics carry it as their FunctionName dimension.
    AWS_LAMBDA_FUNCTION_NAME: "idc-sync-local-sync",
    RULES_PATH: "examples/rules.yaml",
    DEADLINE_MARGIN_SECONDS: "120",
    POWERTOOLS_SERVICE_NAME: "idc-sync",
    POWERTOOLS_LOG_LEVEL: "INFO",
    NODE_OPTIONS: "--enable-source-maps",
    IDC_SYNC_GOOGLE_ROOT_URL: googleUrl,
    IDC_SYNC_GOOGLE_ACCESS_TOKEN: googleToken,
    AWS_ENDPOINT_URL: awsUrl,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDLOCAL",
    AWS_SECRET_ACCESS_KEY: "local",
    // The SDK would otherwise look for ~/.aws files and instance metadata.
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** Runs `osls package` into .idc-sync/package and unzips it; returns the unzipped folder. */
function packageBundle() {
  const out = join(root, ".idc-sync/package");
  const unzipped = join(root, ".idc-sync/bundle");
  process.stderr.write("invoke-local: packaging with osls (the same zip `osls deploy` uploads)...\n");
  const packaged = spawnSync(
    "npx",
    [
      "osls",
      "package",
      "--stage",
      "local",
      "--package",
      out,
      "--param",
      `googleSecretArn=${placeholderSecretArn}`,
      // The emulator's instance and store, and a placeholder organization: the role is never used locally.
      "--param",
      "ssoInstanceId=ssoins-72230000a1b2c3d4",
      "--param",
      "identityStoreId=d-9067a1b2c3",
      "--param",
      "managementAccountId=111111111111",
      "--param",
      "organizationId=o-a1b2c3d4e5",
    ],
    { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...fakeAwsEnv() } },
  );
  if (packaged.status !== 0) throw new Error("osls package failed");
  const zip = readdirSync(out).find((name) => name.endsWith(".zip"));
  if (!zip) throw new Error(`no zip in ${out}`);
  rmSync(unzipped, { recursive: true, force: true });
  mkdirSync(unzipped, { recursive: true });
  const unzip = spawnSync("unzip", ["-q", "-o", join(out, zip), "-d", unzipped], { stdio: "inherit" });
  if (unzip.status !== 0) throw new Error("unzip failed (is `unzip` installed?)");
  if (!existsSync(join(unzipped, "src/handlers/sync-lambda.mjs")))
    throw new Error("the package has no src/handlers/sync-lambda.mjs");
  return unzipped;
}

/** osls resolves the AWS provider while packaging; fake credentials keep it offline. */
export function fakeAwsEnv() {
  return {
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "AKIDPACKAGE",
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "package",
    AWS_REGION: process.env.AWS_REGION ?? "us-east-1",
  };
}

/** Starts an emulator's main.ts with tsx and resolves once it prints its URL (first stdout line). */
function startEmulator(script, args, lineCount = 1) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(root, "node_modules/.bin/tsx"), [join(root, script), ...args], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const stop = () => {
      if (child.exitCode === null) child.kill("SIGTERM");
    };
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const lines = stdout.split("\n");
      if (lines.length > lineCount && lines[0])
        resolvePromise({
          url: lines[0].trim(),
          lines: lines.slice(0, lineCount).map((line) => line.trim()),
          stop,
        });
    });
    child.on("exit", (code) =>
      reject(new Error(`${script} exited with ${code} before it was ready:\n${stderr}`)),
    );
  });
}

/** The event functions' environment: the run state table in the AWS emulator, the queue, a local secret. */
async function eventEnv(awsUrl, queueUrl) {
  const { CreateTableCommand, DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const dynamo = new DynamoDBClient({
    endpoint: awsUrl,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
  });
  await dynamo.send(
    new CreateTableCommand({
      TableName: localStateTable,
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
  dynamo.destroy();
  return {
    STATE_TABLE_NAME: localStateTable,
    SYNC_QUEUE_URL: queueUrl,
    IDC_SYNC_CHANNEL_SECRET: localChannelSecret,
    AWS_ENDPOINT_URL_SQS: new URL(queueUrl).origin,
  };
}

/** google-push, cloudtrail or sqs: one chain from the event to the queue consumer's runs. */
async function runEventKind(kind, eventFile, bundleDir, env, rounds) {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const work = mkdtempSync(join(tmpdir(), "idc-sync-invoke-"));
  const invoke = (file, entry) => {
    process.stderr.write(`invoke-local: ${entry} with ${file}\n`);
    return (
      spawnSync(process.execPath, [fileURLToPath(import.meta.url), "handler", bundleDir, file, entry], {
        env,
        stdio: ["ignore", "inherit", "inherit"],
      }).status === 0
    );
  };
  const event = JSON.parse(readFileSync(eventFile, "utf8"));
  if (kind === "sqs") return invoke(eventFile, entries.sqs);
  if (kind === "cloudtrail") {
    const file = join(work, "sqs-event.json");
    writeFileSync(file, JSON.stringify(sqsEventOf([JSON.stringify(event)])));
    return invoke(file, entries.cloudtrail);
  }
  // google-push: register the channel the event names, sign it if unsigned, deliver, then consume the queue.
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const channelId = headers["x-goog-channel-id"];
  const resourceId = headers["x-goog-resource-id"];
  if (!channelId || !resourceId)
    throw new Error(`${eventFile}: headers x-goog-channel-id and x-goog-resource-id are needed`);
  const { channelToken } = await import("../dist/events/channel-token.js");
  const { DynamoDbChannelStore } = await import("../dist/adapters/state/dynamodb-channel-store.js");
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const dynamo = new DynamoDBClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
  });
  const channels = new DynamoDbChannelStore({ client: dynamo, tableName: localStateTable });
  if (!(await channels.get(channelId))) {
    const reports = String(headers["x-goog-resource-uri"] ?? "").includes("/reports/");
    await channels.create({
      id: channelId,
      api: reports ? "reports" : "directory",
      watch: reports ? "reports:admin" : `directory:${headers["x-goog-resource-state"] ?? "update"}`,
      resourceId,
      expiration: Date.now() + 3_600_000,
      openedAt: Date.now(),
      address: "http://localhost/invoke-local",
      seen: [],
    });
  }
  dynamo.destroy();
  if (headers["x-goog-channel-token"] === undefined)
    headers["x-goog-channel-token"] = channelToken(localChannelSecret, channelId);
  const pushFile = join(work, "push-event.json");
  writeFileSync(pushFile, JSON.stringify({ ...event, headers }));
  if (!invoke(pushFile, entries["google-push"])) return false;
  const { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } = await import("@aws-sdk/client-sqs");
  const sqs = new SQSClient({
    endpoint: env.AWS_ENDPOINT_URL_SQS,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local" },
  });
  try {
    for (let round = 1; round <= rounds; round++) {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: env.SYNC_QUEUE_URL, MaxNumberOfMessages: 10 }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        process.stderr.write("invoke-local: the queue is empty\n");
        return true;
      }
      const file = join(work, `sqs-event-${round}.json`);
      writeFileSync(
        file,
        JSON.stringify(
          sqsEventOf(
            messages.map((message) => message.Body),
            messages.map((message) => message.MessageId),
          ),
        ),
      );
      if (!invoke(file, entries.sqs)) return false;
      for (const message of messages)
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: env.SYNC_QUEUE_URL, ReceiptHandle: message.ReceiptHandle }),
        );
    }
    return true;
  } finally {
    sqs.destroy();
  }
}

/** An SQS event as Lambda's event source mapping builds it for a FIFO queue. */
function sqsEventOf(bodies, ids = []) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: ids[index] ?? `local-${index + 1}`,
      receiptHandle: `local-receipt-${index + 1}`,
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(Date.now()),
        MessageGroupId: "idc-sync",
        MessageDeduplicationId: `local-${index + 1}`,
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:idc-sync-local.fifo",
      awsRegion: "us-east-1",
    })),
  };
}
