/**
 * Watch channel records in the run state table (`pk=channel, sk=<channel id>`), beside the run state and
 * history, with the same four calls the function's role already has (GetItem, PutItem, Query, DeleteItem).
 * Each item holds the record as JSON and a version; a write names the version it read, so the receiver's
 * message-number window and the renewer never overwrite each other.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import type { ChannelRecord, ChannelStore, StoredChannel } from "../../events/ports.js";
import { StateStoreError } from "../../sync/errors.js";

const channelPk = "channel";

const recordSchema = z.object({
  id: z.string(),
  api: z.enum(["directory", "reports"]),
  watch: z.string(),
  resourceId: z.string(),
  expiration: z.number(),
  openedAt: z.number(),
  address: z.string(),
  seen: z.array(z.number()),
});

type Item = Record<string, AttributeValue>;

export class DynamoDbChannelStore implements ChannelStore {
  private readonly client: DynamoDBClient;
  private readonly table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.client = options.client;
    this.table = options.tableName;
  }

  async get(id: string): Promise<StoredChannel | undefined> {
    const output = await this.call("GetItem", () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: { pk: { S: channelPk }, sk: { S: id } },
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item ? this.decode(output.Item) : undefined;
  }

  async list(): Promise<StoredChannel[]> {
    const channels: StoredChannel[] = [];
    let start: Item | undefined;
    do {
      const output = await this.call("Query", () =>
        this.client.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: channelPk } },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      channels.push(...(output.Items ?? []).map((item) => this.decode(item)));
      start = output.LastEvaluatedKey;
    } while (start);
    return channels;
  }

  async create(record: ChannelRecord): Promise<void> {
    await this.call("PutItem", () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: this.encode(record, 1),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      ),
    );
  }

  async replace(record: ChannelRecord, version: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: this.encode(record, version + 1),
          ConditionExpression: "#version = :version",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":version": { N: String(version) } },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
      throw new StateStoreError(
        `${this.where()}: PutItem of channel ${record.id} failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async delete(id: string): Promise<void> {
    await this.call("DeleteItem", () =>
      this.client.send(
        new DeleteItemCommand({ TableName: this.table, Key: { pk: { S: channelPk }, sk: { S: id } } }),
      ),
    );
  }

  private encode(record: ChannelRecord, version: number): Item {
    return {
      pk: { S: channelPk },
      sk: { S: record.id },
      record: { S: JSON.stringify(record) },
      version: { N: String(version) },
    };
  }

  private decode(item: Item): StoredChannel {
    let raw: unknown;
    try {
      raw = JSON.parse(item.record?.S ?? "");
    } catch (error) {
      throw new StateStoreError(`${this.where()}: channel ${item.sk?.S} is not JSON`, { cause: error });
    }
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success)
      throw new StateStoreError(`${this.where()}: channel ${item.sk?.S} is not a channel record`);
    return { record: parsed.data, version: Number(item.version?.N ?? "0") };
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new StateStoreError(`${this.where()}: ${operation} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private where(): string {
    return `DynamoDB table ${this.table}`;
  }
}
