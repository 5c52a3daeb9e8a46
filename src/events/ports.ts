/**
 * The ports of the event path: where watch channels are remembered, the queue every run goes through,
 * and Google's watch methods. Adapters implement them (DynamoDB, SQS, the Admin SDK); tests use the same
 * adapters against the emulators, or the in-memory ones in tests/.
 */
import type { ChannelApi } from "./google-notification.js";
import type { QueueMessage } from "./queue-message.js";

/** What one watch is for: a Directory user event, or a Reports application. */
export type WatchTarget =
  | { api: "directory"; event: "add" | "delete" | "makeAdmin" | "undelete" | "update" }
  | { api: "reports"; application: "admin" | "groups_enterprise" };

/** A watch channel idc-sync opened and has not yet forgotten. */
export interface ChannelRecord {
  id: string;
  api: ChannelApi;
  /** `directory:update`, `reports:admin`, ...: which watch this channel serves. */
  watch: string;
  resourceId: string;
  /** Unix milliseconds, as Google answered it. */
  expiration: number;
  /** Unix milliseconds. */
  openedAt: number;
  /** The address the channel delivers to (a change of endpoint opens new channels). */
  address: string;
  /** The message numbers accepted lately, highest first (message-numbers.ts). */
  seen: number[];
}

export interface StoredChannel {
  record: ChannelRecord;
  /** Changes on every write; a write names the version it read. */
  version: number;
}

export interface ChannelStore {
  get(id: string): Promise<StoredChannel | undefined>;
  list(): Promise<StoredChannel[]>;
  /** Creates a channel record; fails if one with that id exists. */
  create(record: ChannelRecord): Promise<void>;
  /** Replaces a record if it is still at `version`; false when someone else wrote it (or deleted it). */
  replace(record: ChannelRecord, version: number): Promise<boolean>;
  delete(id: string): Promise<void>;
}

export interface SyncQueue {
  /** Sends one message on the one message group; `deduplicationId` collapses repeats for 5 minutes. */
  send(message: QueueMessage, deduplicationId?: string): Promise<void>;
}

export interface OpenedChannel {
  id: string;
  resourceId: string;
  expiration: number;
}

export interface WatchApi {
  /** users.watch or activities.watch; answers the channel as Google answered it. */
  watch(
    target: WatchTarget,
    channel: { id: string; address: string; token: string; ttlSeconds: number },
  ): Promise<OpenedChannel>;
  /** channels.stop of the channel's own API. A channel Google no longer knows is not an error. */
  stop(api: ChannelApi, channel: { id: string; resourceId: string }): Promise<void>;
}

/** Structured logging, as Powertools Logger does it. */
export interface EventLogger {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export function watchKey(target: WatchTarget): string {
  return target.api === "directory" ? `directory:${target.event}` : `reports:${target.application}`;
}
