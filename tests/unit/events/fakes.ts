import type {
  ChannelRecord,
  ChannelStore,
  EventLogger,
  OpenedChannel,
  StoredChannel,
  SyncQueue,
  WatchApi,
  WatchTarget,
} from "../../../src/events/ports.js";
import type { QueueMessage } from "../../../src/events/queue-message.js";

/** A channel store in memory, with the same versioned writes as the DynamoDB one. */
export class InMemoryChannelStore implements ChannelStore {
  readonly items = new Map<string, StoredChannel>();

  async get(id: string) {
    const found = this.items.get(id);
    return found ? structuredClone(found) : undefined;
  }
  async list() {
    return [...this.items.values()].map((item) => structuredClone(item));
  }
  async create(record: ChannelRecord) {
    if (this.items.has(record.id)) throw new Error(`channel ${record.id} exists`);
    this.items.set(record.id, { record: structuredClone(record), version: 1 });
  }
  async replace(record: ChannelRecord, version: number) {
    const current = this.items.get(record.id);
    if (!current || current.version !== version) return false;
    this.items.set(record.id, { record: structuredClone(record), version: version + 1 });
    return true;
  }
  async delete(id: string) {
    this.items.delete(id);
  }
}

export class RecordingQueue implements SyncQueue {
  readonly sent: { message: QueueMessage; deduplicationId?: string }[] = [];
  failNext = 0;
  async send(message: QueueMessage, deduplicationId?: string) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error("SQS is unavailable");
    }
    this.sent.push({ message, ...(deduplicationId ? { deduplicationId } : {}) });
  }
}

export class RecordingLogger implements EventLogger {
  readonly lines: { level: string; message: string; attributes: Record<string, unknown>[] }[] = [];
  info(message: string, ...attributes: Record<string, unknown>[]) {
    this.lines.push({ level: "info", message, attributes });
  }
  warn(message: string, ...attributes: Record<string, unknown>[]) {
    this.lines.push({ level: "warn", message, attributes });
  }
  error(message: string, ...attributes: Record<string, unknown>[]) {
    this.lines.push({ level: "error", message, attributes });
  }
  text(): string {
    return JSON.stringify(this.lines);
  }
}

/** Google's watch methods in memory: every watch answers `ttlSeconds` from the fake clock. */
export class FakeWatchApi implements WatchApi {
  readonly opened: { target: WatchTarget; id: string; token: string; address: string }[] = [];
  readonly stopped: string[] = [];
  failFor = new Set<string>();
  constructor(private readonly now: () => number) {}
  async watch(
    target: WatchTarget,
    channel: { id: string; address: string; token: string; ttlSeconds: number },
  ): Promise<OpenedChannel> {
    const key = target.api === "directory" ? `directory:${target.event}` : `reports:${target.application}`;
    if (this.failFor.has(key)) throw new Error(`watch ${key} refused`);
    this.opened.push({ target, id: channel.id, token: channel.token, address: channel.address });
    return {
      id: channel.id,
      resourceId: `resource-${channel.id}`,
      expiration: this.now() + channel.ttlSeconds * 1000,
    };
  }
  async stop(_api: "directory" | "reports", channel: { id: string }) {
    this.stopped.push(channel.id);
  }
}

export function aChannel(overrides: Partial<ChannelRecord> = {}): ChannelRecord {
  return {
    id: "channel-1",
    api: "directory",
    watch: "directory:update",
    resourceId: "resource-1",
    expiration: Date.parse("2026-03-02T12:00:00Z"),
    openedAt: Date.parse("2026-03-02T06:00:00Z"),
    address: "https://idc-sync.example.com/google",
    seen: [],
    ...overrides,
  };
}
