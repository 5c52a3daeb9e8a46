/**
 * DynamoDB (AWS JSON 1.0, `X-Amz-Target: DynamoDB_20120810.<Op>`) as far as idc-sync's state store uses
 * it: CreateTable (for tests), GetItem, PutItem and DeleteItem with a condition expression, and Query
 * on the partition key with ScanIndexForward and Limit. Items are kept as AttributeValue maps, exactly as
 * sent. Condition expressions: `attribute_exists(a)`, `attribute_not_exists(a)` and `a = :v`, joined by
 * AND or OR (no parentheses); anything else is a ValidationException, so a store that starts using more
 * fails here first.
 */
import { AwsApiError, type Input, requireObject, requireString, validation } from "./protocol.js";

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;
export type DynamoHandler = (input: Input) => unknown;

interface Table {
  name: string;
  hashKey: string;
  rangeKey?: string;
  items: Map<string, Item>;
}

const errorPrefix = "com.amazonaws.dynamodb.v20120810#";

function dynamoError(type: string, message: string): AwsApiError {
  return new AwsApiError(`${errorPrefix}${type}`, message);
}

/** The emulated tables, for tests that look inside. */
export class DynamoDbTables {
  readonly tables = new Map<string, Table>();

  items(tableName: string): Item[] {
    return [...(this.tables.get(tableName)?.items.values() ?? [])];
  }
}

export function dynamoDbHandlers(store: DynamoDbTables): Record<string, DynamoHandler> {
  const table = (input: Input): Table => {
    const name = requireString(input, "TableName");
    const found = store.tables.get(name);
    if (!found)
      throw dynamoError(
        "ResourceNotFoundException",
        `Requested resource not found: Table: ${name} not found`,
      );
    return found;
  };
  const keyOf = (t: Table, item: Item): string => {
    const hash = scalar(item[t.hashKey], t.hashKey);
    const range = t.rangeKey ? scalar(item[t.rangeKey], t.rangeKey) : "";
    return JSON.stringify([hash, range]);
  };

  return {
    CreateTable: (input) => {
      const name = requireString(input, "TableName");
      if (store.tables.has(name))
        throw dynamoError("ResourceInUseException", `Table already exists: ${name}`);
      const schema = input.KeySchema as { AttributeName: string; KeyType: string }[] | undefined;
      const hashKey = schema?.find((key) => key.KeyType === "HASH")?.AttributeName;
      if (!hashKey) throw validation("KeySchema needs a HASH key");
      const rangeKey = schema?.find((key) => key.KeyType === "RANGE")?.AttributeName;
      store.tables.set(name, { name, hashKey, ...(rangeKey ? { rangeKey } : {}), items: new Map() });
      return { TableDescription: { TableName: name, TableStatus: "ACTIVE", KeySchema: schema } };
    },
    GetItem: (input) => {
      const t = table(input);
      const item = t.items.get(keyOf(t, requireObject(input, "Key") as Item));
      return item ? { Item: item } : {};
    },
    PutItem: (input) => {
      const t = table(input);
      const item = requireObject(input, "Item") as Item;
      const key = keyOf(t, item);
      checkCondition(input, t.items.get(key));
      // "The maximum item size in DynamoDB is 400 KB, which includes both attribute name binary length
      // (UTF-8 length) and attribute value lengths" (Constraints), KB being 1,024 bytes there.
      if (itemSize(item) > 400 * 1024) throw validation("Item size has exceeded the maximum allowed size");
      t.items.set(key, item);
      return {};
    },
    DeleteItem: (input) => {
      const t = table(input);
      const key = keyOf(t, requireObject(input, "Key") as Item);
      checkCondition(input, t.items.get(key));
      t.items.delete(key);
      return {};
    },
    Query: (input) => {
      const t = table(input);
      const expression = requireString(input, "KeyConditionExpression");
      const match = /^\s*(#?\w+)\s*=\s*(:\w+)\s*$/.exec(expression);
      if (!match) throw validation(`KeyConditionExpression not emulated: ${expression}`);
      const name = attributeName(match[1]!, input);
      if (name !== t.hashKey) throw validation("Query condition missed key schema element");
      const wanted = JSON.stringify(expressionValue(match[2]!, input));
      let items = [...t.items.values()].filter((item) => JSON.stringify(item[name]) === wanted);
      const range = t.rangeKey;
      if (range) items.sort((a, b) => compare(scalar(a[range], range), scalar(b[range], range)));
      if (input.ScanIndexForward === false) items.reverse();
      const start = input.ExclusiveStartKey as Item | undefined;
      if (start) {
        const index = items.findIndex((item) => keyOf(t, item) === keyOf(t, start));
        items = items.slice(index + 1);
      }
      const limit = typeof input.Limit === "number" ? input.Limit : undefined;
      const page = limit === undefined ? items : items.slice(0, limit);
      const last = page.at(-1);
      const more = limit !== undefined && items.length > limit && last !== undefined;
      return {
        Items: page,
        Count: page.length,
        ScannedCount: page.length,
        ...(more ? { LastEvaluatedKey: keyItem(t, last) } : {}),
      };
    },
  };
}

/**
 * An item's size as DynamoDB counts it ("DynamoDB item sizes and formats", CapacityUnitCalculations.html):
 * "the sum of the lengths of its attribute names and values"; strings by their UTF-8 bytes; "a binary
 * value must be encoded in base64 format before it can be sent to DynamoDB, but the value's raw byte
 * length is used for calculating size"; a number about 1 byte per two significant digits plus 1; null
 * and Boolean 1 byte; a List or Map 3 bytes of overhead plus 1 byte per element.
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item))
    size += Buffer.byteLength(name, "utf8") + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  const [type, content] = Object.entries(value)[0] ?? ["NULL", true];
  switch (type) {
    case "S":
      return Buffer.byteLength(String(content), "utf8");
    case "N":
      return numberSize(String(content));
    case "B":
      return Buffer.from(String(content), "base64").length;
    case "SS":
      return (content as string[]).reduce((sum, entry) => sum + Buffer.byteLength(entry, "utf8"), 0);
    case "NS":
      return (content as string[]).reduce((sum, entry) => sum + numberSize(entry), 0);
    case "BS":
      return (content as string[]).reduce((sum, entry) => sum + Buffer.from(entry, "base64").length, 0);
    case "L":
      return 3 + (content as AttributeValue[]).reduce((sum, entry) => sum + 1 + valueSize(entry), 0);
    case "M":
      return 3 + Object.values(content as Item).reduce((sum, entry) => sum + 1 + valueSize(entry), 0);
    default:
      return 1; // NULL, BOOL
  }
}

function numberSize(text: string): number {
  const digits = text.replace(/[-+.]|e.*$/gi, "").replace(/^0+|0+$/g, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

function keyItem(t: Table, item: Item): Item {
  const key: Item = { [t.hashKey]: item[t.hashKey]! };
  if (t.rangeKey) key[t.rangeKey] = item[t.rangeKey]!;
  return key;
}

function checkCondition(input: Input, existing: Item | undefined): void {
  const expression = input.ConditionExpression;
  if (expression === undefined) return;
  if (typeof expression !== "string") throw validation("ConditionExpression must be a string");
  const holds = (term: string): boolean => {
    const exists = /^\s*attribute_(not_)?exists\(\s*(#?\w+)\s*\)\s*$/.exec(term);
    if (exists) {
      const present = existing !== undefined && existing[attributeName(exists[2]!, input)] !== undefined;
      return exists[1] ? !present : present;
    }
    const equals = /^\s*(#?\w+)\s*=\s*(:\w+)\s*$/.exec(term);
    if (equals) {
      const current = existing?.[attributeName(equals[1]!, input)];
      return current !== undefined && sameValue(current, expressionValue(equals[2]!, input));
    }
    throw validation(`ConditionExpression not emulated: ${term}`);
  };
  const ok = expression.split(/\s+OR\s+/).some((either) => either.split(/\s+AND\s+/).every(holds));
  if (!ok) throw dynamoError("ConditionalCheckFailedException", "The conditional request failed");
}

function attributeName(token: string, input: Input): string {
  if (!token.startsWith("#")) return token;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const name = names[token];
  if (name === undefined)
    throw validation(
      `An expression attribute name used in the document path is not defined; attribute name: ${token}`,
    );
  return name;
}

function expressionValue(token: string, input: Input): AttributeValue {
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  const value = values[token];
  if (value === undefined)
    throw validation(
      `An expression attribute value used in expression is not defined; attribute value: ${token}`,
    );
  return value;
}

/** Numbers compare by value ("1" equals "1.0"); everything else by its JSON. */
function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (typeof a.N === "string" && typeof b.N === "string") return Number(a.N) === Number(b.N);
  return JSON.stringify(a) === JSON.stringify(b);
}

function scalar(value: AttributeValue | undefined, name: string): string {
  const text = value?.S ?? value?.N ?? value?.B;
  if (typeof text !== "string") throw validation(`One of the required keys was not given a value: ${name}`);
  return text;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
