import { randomBytes } from "node:crypto";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DynamoDbStateStore } from "../../../src/adapters/state/dynamodb-state-store.js";
import { StateConflictError } from "../../../src/sync/errors.js";
import { initialRunState, type RunRecord, type RunState } from "../../../src/sync/run-state.js";
import { type AwsEmulator, startAwsEmulator } from "../../emulators/aws/emulator.js";

let emulator: AwsEmulator;
let client: DynamoDBClient;
let tableCount = 0;

beforeAll(async () => {
  emulator = await startAwsEmulator();
  client = new DynamoDBClient({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});
afterAll(async () => {
  client.destroy();
  await emulator.close();
});

describe("the DynamoDB run state store, against the AWS emulator", () => {
  let tableName: string;
  const store = (options: { chunkBytes?: number } = {}) =>
    new DynamoDbStateStore({ client, tableName, ...options });

  beforeEach(async () => {
    tableCount += 1;
    tableName = `idc-sync-state-${tableCount}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
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
  });

  it("has no state before the first save, then returns what was saved with a revision", async () => {
    expect(await store().load()).toEqual({ state: undefined, revision: undefined });

    const state = aState({ "user:x@example.com": "abc" });
    await store().save(state, undefined);

    const loaded = await store().load();
    expect(loaded.state).toEqual(state);
    expect(loaded.revision).toBe("1");
  });

  it("refuses a save made from a stale revision, so two runs cannot clobber each other", async () => {
    await store().save(aState({ a: "1" }), undefined);
    const first = await store().load();
    const second = await store().load();

    await store().save(aState({ a: "2" }), first.revision);
    await expect(store().save(aState({ a: "3" }), second.revision)).rejects.toBeInstanceOf(
      StateConflictError,
    );
    await expect(store().save(aState({ a: "4" }), undefined)).rejects.toBeInstanceOf(StateConflictError);

    expect((await store().load()).state?.applied?.digests).toEqual({ a: "2" });
  });

  it("splits a state bigger than one item into parts, and removes the old parts on the next save", async () => {
    const digests = Object.fromEntries(
      Array.from({ length: 3000 }, (_, i) => [`member:group-${i % 7}:user${i}@example.com`, `${i * 7919}`]),
    );
    await store({ chunkBytes: 4096 }).save(aState(digests), undefined);
    const partsAfterFirst = emulator.dynamodb
      .items(tableName)
      .filter((item) => String(item.sk?.S).startsWith("chunk#"));
    expect(partsAfterFirst.length).toBeGreaterThan(1);

    expect((await store().load()).state?.applied?.digests).toEqual(digests);

    await store({ chunkBytes: 4096 }).save(aState({ ...digests, extra: "1" }), "1");
    const partsAfterSecond = emulator.dynamodb
      .items(tableName)
      .filter((item) => String(item.sk?.S).startsWith("chunk#"));
    expect(partsAfterSecond.length).toBe(partsAfterFirst.length);
    expect((await store().load()).state?.applied?.digests).toEqual({ ...digests, extra: "1" });
  });

  it("saves a state of many parts at the default part size: each part is under DynamoDB's 400 KB item limit", async () => {
    // Digests of 10,000 people do not compress much: about 640 KB gzipped, two parts of at most 350,000 bytes.
    const digests = Object.fromEntries(
      Array.from({ length: 12_000 }, (_, i) => [
        `user:${randomBytes(8).toString("hex")}${i}@example.com`,
        randomBytes(16).toString("hex"),
      ]),
    );
    await store().save(aState(digests), undefined);

    const parts = emulator.dynamodb
      .items(tableName)
      .filter((item) => String(item.sk?.S).startsWith("chunk#"));
    expect(parts.length).toBeGreaterThan(1);
    expect((await store().load()).state?.applied?.digests).toEqual(digests);
  });

  it("is refused an item over 400 KB by the emulator, counting binary values by their raw bytes", async () => {
    const item = (bytes: number) => ({
      TableName: tableName,
      Item: { pk: { S: "state" }, sk: { S: "big" }, data: { B: new Uint8Array(bytes) } },
    });
    // The names pk, sk, data and the keys' values take 16 bytes.
    await client.send(new PutItemCommand(item(400 * 1024 - 16)));
    await expect(client.send(new PutItemCommand(item(400 * 1024 - 15)))).rejects.toThrow(
      "Item size has exceeded the maximum allowed size",
    );
  });

  it("records runs with a TTL and lists the newest first, at most the limit asked", async () => {
    for (const minute of [1, 3, 2]) await store().recordRun(aRun(`run-${minute}`, minute));

    const runs = await store().listRuns(2);

    expect(runs.map((run) => run.runId)).toEqual(["run-3", "run-2"]);
    const item = emulator.dynamodb.items(tableName).find((entry) => String(entry.sk?.S).endsWith("#run-1"));
    const finished = Date.parse(aRun("run-1", 1).finishedAt) / 1000;
    expect(Number(item?.expiresAt?.N)).toBe(Math.floor(finished) + 90 * 86_400);
  });
});

function aState(digests: Record<string, string>): RunState {
  return { ...initialRunState(), applied: { digests, runId: "run-0", at: "2026-05-04T09:00:00.000Z" } };
}

function aRun(runId: string, minute: number): RunRecord {
  const at = `2026-05-04T09:0${minute}:00.000Z`;
  return { runId, startedAt: at, finishedAt: at, trigger: "schedule", mode: "enforce", status: "applied" };
}
