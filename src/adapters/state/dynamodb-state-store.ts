/**
 * The run state in DynamoDB (the Lambda's store): one table, on demand, keyed by `pk` and `sk`.
 *
 * - `pk=state, sk=current`: the state's revision and the state itself, gzipped JSON. A state too big for
 *   one item (DynamoDB's 400 KB) is split into `pk=state, sk=chunk#<write id>#<n>` items that the head
 *   names; a new write id per save means a refused save never touches the chunks the head points at.
 * - `pk=run, sk=<startedAt>#<runId>`: one item per run, removed by DynamoDB's TTL after `retentionDays`.
 *
 * The head is written with a condition on the revision read, so two runs cannot clobber each other.
 */
import { randomUUID } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { StateConflictError, StateStoreError } from "../../sync/errors.js";
import type { StateStore, StoredRunState } from "../../sync/ports.js";
import type { RunRecord, RunState } from "../../sync/run-state.js";
import { parseRunRecord, parseRunState } from "./run-state-codec.js";

export interface DynamoDbStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Run records expire this many days after the run. Default 90. */
  retentionDays?: number;
  /** Largest state part kept in one item, in bytes (tests make it small). Default 350,000. */
  chunkBytes?: number;
}

const statePk = "state";
const headSk = "current";
const runPk = "run";

type Item = Record<string, AttributeValue>;

export class DynamoDbStateStore implements StateStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;
  private readonly retentionDays: number;
  private readonly chunkBytes: number;

  constructor(options: DynamoDbStateStoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.retentionDays = options.retentionDays ?? 90;
    this.chunkBytes = options.chunkBytes ?? 350_000;
  }

  async load(): Promise<StoredRunState> {
    const head = await this.getItem(statePk, headSk);
    if (head === undefined) return { state: undefined, revision: undefined };
    const revision = head.revision?.N;
    let data: Uint8Array;
    if (head.data?.B !== undefined) {
      data = head.data.B;
    } else {
      const writeId = head.writeId?.S;
      const chunks = Number(head.chunks?.N ?? "0");
      const parts: Uint8Array[] = [];
      for (let index = 0; index < chunks; index += 1) {
        const part = await this.getItem(statePk, chunkSk(writeId ?? "", index));
        if (part?.data?.B === undefined) {
          throw new StateStoreError(`${this.where()}: part ${index} of the run state is missing`);
        }
        parts.push(part.data.B);
      }
      data = Buffer.concat(parts);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(gunzipSync(data).toString("utf8"));
    } catch (error) {
      throw new StateStoreError(`${this.where()}: the run state is not readable gzipped JSON`, {
        cause: error,
      });
    }
    return { state: parseRunState(raw, this.where()), revision };
  }

  async save(state: RunState, expectedRevision: string | undefined): Promise<string> {
    const data = gzipSync(JSON.stringify(state));
    const writeId = randomUUID();
    const chunks: Uint8Array[] = [];
    if (data.length > this.chunkBytes) {
      for (let offset = 0; offset < data.length; offset += this.chunkBytes)
        chunks.push(data.subarray(offset, offset + this.chunkBytes));
    }
    const previous =
      chunks.length > 0 || expectedRevision !== undefined ? await this.getItem(statePk, headSk) : undefined;
    for (const [index, chunk] of chunks.entries()) {
      await this.send("PutItem", () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { pk: { S: statePk }, sk: { S: chunkSk(writeId, index) }, data: { B: chunk } },
          }),
        ),
      );
    }
    const revision = String(Number(expectedRevision ?? "0") + 1);
    const head: Item = {
      pk: { S: statePk },
      sk: { S: headSk },
      revision: { N: revision },
      writeId: { S: writeId },
      ...(chunks.length > 0 ? { chunks: { N: String(chunks.length) } } : { data: { B: data } }),
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: head,
          ...(expectedRevision === undefined
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "#revision = :expected",
                ExpressionAttributeNames: { "#revision": "revision" },
                ExpressionAttributeValues: { ":expected": { N: expectedRevision } },
              }),
        }),
      );
    } catch (error) {
      await this.deleteChunks(writeId, chunks.length);
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") {
        throw new StateConflictError(
          `${this.where()}: another run saved the run state since this one read it (revision ${expectedRevision ?? "none"}); this run's state was not saved`,
          expectedRevision,
          { cause: error },
        );
      }
      throw new StateStoreError(`${this.where()}: cannot save the run state: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // The parts of the replaced state are no longer named by the head.
    if (previous?.chunks?.N !== undefined && previous.writeId?.S !== undefined) {
      await this.deleteChunks(previous.writeId.S, Number(previous.chunks.N)).catch(() => undefined);
    }
    return revision;
  }

  async recordRun(run: RunRecord): Promise<void> {
    const expiresAt = Math.floor(Date.parse(run.finishedAt) / 1000) + this.retentionDays * 86_400;
    await this.send("PutItem", () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            pk: { S: runPk },
            sk: { S: `${run.startedAt}#${run.runId}` },
            record: { S: JSON.stringify(run) },
            expiresAt: { N: String(expiresAt) },
          },
          // A run id is recorded once; a second write with it would hide the first.
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    if (limit <= 0) return [];
    const output = await this.send("Query", () =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": { S: runPk } },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    return (output.Items ?? []).map((item) => {
      let raw: unknown;
      try {
        raw = JSON.parse(item.record?.S ?? "");
      } catch (error) {
        throw new StateStoreError(`${this.where()}: run ${item.sk?.S} is not JSON`, { cause: error });
      }
      return parseRunRecord(raw, this.where());
    });
  }

  private async getItem(pk: string, sk: string): Promise<Item | undefined> {
    const output = await this.send("GetItem", () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item;
  }

  private async deleteChunks(writeId: string, count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      await this.send("DeleteItem", () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: { pk: { S: statePk }, sk: { S: chunkSk(writeId, index) } },
          }),
        ),
      );
    }
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof StateStoreError) throw error;
      throw new StateStoreError(`${this.where()}: ${operation} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private where(): string {
    return `DynamoDB table ${this.table}`;
  }
}

function chunkSk(writeId: string, index: number): string {
  return `chunk#${writeId}#${index}`;
}
