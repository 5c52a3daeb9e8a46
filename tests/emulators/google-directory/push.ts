/**
 * Push notification channels for the Google emulator: Directory API `users.watch` and Reports API
 * `activities.watch`, the two `channels.stop` methods, and delivery of notifications to the channel
 * address by HTTP POST with Google's headers, retries and expiry.
 *
 * Sources (quoted in the comments below):
 * - Directory push guide: https://developers.google.com/workspace/admin/directory/v1/guides/push
 * - Reports push guide: https://developers.google.com/workspace/admin/reports/v1/guides/push
 * - SubscriptionChannel: https://developers.google.com/workspace/admin/directory/reference/rest/v1/SubscriptionChannel
 * - Discovery documents admin:directory_v1 and admin:reports_v1 (as shipped in @googleapis/admin and
 *   mirrored in googleapis/google-api-go-client admin/{directory,reports}/v1/admin-api.json).
 * Where the docs are silent the emulator takes the stricter plausible behaviour and says so.
 */
import { randomBytes } from "node:crypto";
import type { GoogleErrorSpec } from "./faults.js";

/** The Directory API's user events: "The possible values for event are: add, delete, makeAdmin, undelete, update". */
export const directoryUserEvents = ["add", "delete", "makeAdmin", "undelete", "update"] as const;
export type DirectoryUserEvent = (typeof directoryUserEvents)[number];

/** Time-to-live limits per API, in seconds. */
export const channelTtlSeconds = {
  // SubscriptionChannel: "params.ttl specifies the time-to-live in seconds for the notification channel,
  // where the default is 2 hours and the maximum TTL is 2 days."
  directory: { default: 2 * 60 * 60, max: 2 * 24 * 60 * 60 },
  // Reports push guide: "the maximum expiration time is 21600 seconds. If you don't set the expiration
  // property in your request, the expiration time defaults to 21600 seconds after the current time."
  reports: { default: 21_600, max: 21_600 },
} as const;

/** Status codes a receiver answers to acknowledge: "200, 201, 202, 204, or 102" (both push guides). */
export const acknowledgingStatuses: ReadonlySet<number> = new Set([200, 201, 202, 204, 102]);
/** "returns 500, 502, 503, or 504, the Directory API retries with exponential backoff" (both guides). */
export const retriedStatuses: ReadonlySet<number> = new Set([500, 502, 503, 504]);

export type ChannelApi = "directory" | "reports";

export interface PushChannel {
  api: ChannelApi;
  id: string;
  resourceId: string;
  resourceUri: string;
  address: string;
  token?: string;
  /** Unix milliseconds. */
  expiration: number;
  /** Reports only: whether the activity goes in the body ("payload: A boolean flag"). */
  payload: boolean;
  /** Directory: the watched event and customer/domain. Reports: application, user and event name. */
  filter: DirectoryChannelFilter | ReportsChannelFilter;
  stopped: boolean;
  lastMessageNumber: number;
}

export interface DirectoryChannelFilter {
  api: "directory";
  event: DirectoryUserEvent;
  /** Lower-cased domain when watched per domain; undefined for the whole customer. */
  domain?: string;
}

export interface ReportsChannelFilter {
  api: "reports";
  applicationName: string;
  /** "all" or a user's email or profile id. */
  userKey: string;
  eventName?: string;
}

/** One notification and what became of it, for assertions. */
export interface DeliveryRecord {
  channelId: string;
  messageNumber: number;
  resourceState: string;
  /** HTTP status of each attempt; 0 for a connection that failed. */
  attempts: number[];
  outcome: "acknowledged" | "failed" | "gave-up" | "channel-closed" | "pending";
}

export interface PushDeliveryOptions {
  /** Milliseconds since the epoch; tests inject a clock to expire channels without waiting. */
  now?: () => number;
  /** Waits between retries; tests inject one that records instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** 0 ≤ x < 1, for the gaps between message numbers. */
  random?: () => number;
  /** First retry delay; doubles each time. Default 1,000 ms. */
  retryBaseMs?: number;
  /**
   * Attempts per notification before giving up. Google says it retries "based on an exponential backoff
   * schedule—up to a maximum of several days" (https://developers.google.com/search/docs/crawling-indexing/apis-user-agent);
   * the emulator gives up sooner so tests end. Default 6.
   */
  maxAttempts?: number;
  /**
   * Accept `http:` channel addresses. Google requires HTTPS with a valid certificate ("it must use HTTPS",
   * self-signed certificates are invalid); the local sinks tests use are plain HTTP, so tests opt in.
   */
  acceptHttpAddresses?: boolean;
  /**
   * When given, only these host names may receive notifications: Google "requires developers to prove
   * that they own the domain before allowing them to register a URL" (APIs-Google page). Whether the
   * Admin SDK still enforces it is not documented; off unless a test sets it.
   */
  verifiedDomains?: string[];
  /**
   * How notifications are posted. Default: global fetch, to loopback addresses only (tests never reach
   * outside this machine; a notification for any other host is recorded as failed without being sent).
   */
  fetch?: typeof fetch;
}

export type PushRouteResult = { status: number; body?: unknown } | { error: GoogleErrorSpec };

/** A notification waiting to be sent on a channel. */
interface Notification {
  state: string;
  body?: unknown;
}

const maxChannelIdLength = 64; // "Maximum length: 64 characters." (id, both guides)
const maxTokenLength = 256; // "Maximum length: 256 characters." (token, both guides)

/** Channels of both APIs and their deliveries. One per emulator. */
export class PushChannels {
  private readonly channels = new Map<string, PushChannel>();
  private readonly records: DeliveryRecord[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly retryBaseMs: number;
  private readonly maxAttempts: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: PushDeliveryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** The current time of the emulator's clock, Unix milliseconds. */
  time(): number {
    return this.now();
  }

  /**
   * Validates a watch request body and opens a channel, then queues the `sync` message. Answers the
   * channel resource, or a Google error for a bad body.
   */
  open(
    api: ChannelApi,
    rawBody: string,
    filter: DirectoryChannelFilter | ReportsChannelFilter,
    resourceUri: string,
  ): PushRouteResult {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(rawBody || "{}");
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      return invalid("Parse Error");
    }
    const id = body.id;
    // "An id property string that uniquely identifies this new notification channel within your project"
    if (typeof id !== "string" || id.length === 0) return required("id");
    if (id.length > maxChannelIdLength)
      return invalid(`Channel id must be at most ${maxChannelIdLength} characters`);
    // Not documented what Google answers for an id already in use; the stricter answer refuses it.
    if (this.channels.has(id)) return invalid(`Channel id ${id} not unique`);
    // "A type property string set to the value web_hook."
    if (body.type !== "web_hook")
      return invalid(`Invalid value for type: ${String(body.type)}; must be web_hook`);
    const address = body.address;
    if (typeof address !== "string" || address.length === 0) return required("address");
    const addressProblem = this.checkAddress(address);
    if (addressProblem) return addressProblem;
    const token = body.token;
    if (token !== undefined && (typeof token !== "string" || token.length > maxTokenLength)) {
      return invalid(`Channel token must be a string of at most ${maxTokenLength} characters`);
    }
    const expiration = this.expirationFor(api, body);
    if ("error" in expiration) return expiration;
    const payload = body.payload === true;

    const channel: PushChannel = {
      api,
      id,
      // "An opaque value identifying the watched resource. This ID is stable across API versions."
      resourceId: randomBytes(14).toString("base64url"),
      resourceUri,
      address,
      ...(typeof token === "string" ? { token } : {}),
      expiration: expiration.at,
      payload,
      filter,
      stopped: false,
      lastMessageNumber: 0,
    };
    this.channels.set(id, channel);
    // "the Directory API sends a sync message to indicate that notifications are starting ... it's possible
    // to receive the sync message even before you receive the watch method response."
    this.enqueue(channel, { state: "sync" });
    return {
      status: 200,
      body: {
        kind: "api#channel",
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: channel.resourceUri,
        ...(channel.token !== undefined ? { token: channel.token } : {}),
        // int64 in the discovery document, so a JSON string, "as a Unix timestamp in milliseconds".
        expiration: String(channel.expiration),
      },
    };
  }

  /**
   * `channels.stop`: "This method requires that you provide at least the channel's id and the resourceId
   * properties". A channel is stopped only through the stop method of the API that opened it (each API
   * has "only one stop method").
   */
  stop(api: ChannelApi, rawBody: string): PushRouteResult {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rawBody || "{}") as Record<string, unknown>;
    } catch {
      return invalid("Parse Error");
    }
    if (typeof body.id !== "string" || body.id.length === 0) return required("id");
    if (typeof body.resourceId !== "string" || body.resourceId.length === 0) return required("resourceId");
    const channel = this.channels.get(body.id);
    if (!channel || channel.api !== api || channel.resourceId !== body.resourceId || channel.stopped) {
      // Not documented; Google's usual answer for an unknown resource.
      return {
        error: {
          status: 404,
          reason: "notFound",
          message: `Channel '${body.id}' not found for project`,
          domain: "global",
        },
      };
    }
    channel.stopped = true;
    return { status: 204 };
  }

  /** Sends a notification to every live channel the predicate accepts. */
  notify(accepts: (channel: PushChannel) => Notification | undefined): void {
    for (const channel of this.channels.values()) {
      if (!this.isLive(channel)) continue;
      const notification = accepts(channel);
      if (notification) this.enqueue(channel, notification);
    }
  }

  /** Test hook: every channel (or the one named) expires now, as if its TTL had run out. */
  expire(channelId?: string): void {
    const now = this.now();
    for (const channel of this.channels.values()) {
      if (channelId === undefined || channel.id === channelId)
        channel.expiration = Math.min(channel.expiration, now);
    }
  }

  /** Channels opened so far, stopped and expired ones included. */
  list(): PushChannel[] {
    return [...this.channels.values()].map((channel) => ({ ...channel }));
  }

  /** Channels that still deliver. */
  live(): PushChannel[] {
    return this.list().filter((channel) => this.isLive(channel));
  }

  /** Every notification so far and its outcome. */
  deliveries(): DeliveryRecord[] {
    return this.records.map((record) => ({ ...record, attempts: [...record.attempts] }));
  }

  /** Resolves when every queued notification has been delivered, given up or dropped. */
  async settle(): Promise<void> {
    while (true) {
      const pending = [...this.queues.values()];
      await Promise.all(pending);
      if ([...this.queues.values()].every((queue, index) => queue === pending[index])) return;
    }
  }

  private isLive(channel: PushChannel): boolean {
    // "The expiration property controls when the notifications stop automatically."
    return !channel.stopped && this.now() < channel.expiration;
  }

  private checkAddress(address: string): PushRouteResult | undefined {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return invalid(`Invalid address: ${address}`);
    }
    // "This is your webhook callback URL, and it must use HTTPS."
    const schemeAllowed =
      url.protocol === "https:" || (this.options.acceptHttpAddresses && url.protocol === "http:");
    if (!schemeAllowed) return invalid(`WebHook callback must be HTTPS: ${address}`);
    const verified = this.options.verifiedDomains;
    if (
      verified &&
      !verified.some((domain) => url.hostname === domain || url.hostname.endsWith(`.${domain}`))
    ) {
      // The answer third parties report for an unverified domain (research-google-push.md §4.1, [U]).
      return {
        error: {
          status: 401,
          reason: "push.webhookUrlUnauthorized",
          message: `Unauthorized WebHook callback channel: ${address}`,
          domain: "global",
        },
      };
    }
    return undefined;
  }

  /**
   * The channel's expiration: "a value determined either by your request or by any ... internal limits or
   * defaults (the more restrictive value is used)". `expiration` is Unix milliseconds (SubscriptionChannel:
   * "expressed as a Unix timestamp, in milliseconds"); `params.ttl` is seconds. The Reports guide also
   * calls `expiration` "The time-to-live in seconds" in one place: the emulator reads it as milliseconds,
   * as the Channel schema says, so a seconds value lands in 1970 and is refused.
   */
  private expirationFor(
    api: ChannelApi,
    body: Record<string, unknown>,
  ): { at: number } | { error: GoogleErrorSpec } {
    const now = this.now();
    const limits = channelTtlSeconds[api];
    const cap = now + limits.max * 1000;
    const candidates = [cap];
    const params = body.params;
    if (params !== undefined) {
      if (typeof params !== "object" || params === null || Array.isArray(params)) {
        return invalid("params must be a map of strings");
      }
      const ttl = (params as Record<string, unknown>).ttl;
      if (ttl !== undefined) {
        const seconds = Number(ttl);
        if (!Number.isInteger(seconds) || seconds <= 0)
          return invalid(`Invalid value for params.ttl: ${String(ttl)}`);
        candidates.push(now + seconds * 1000);
      }
    }
    if (body.expiration !== undefined && body.expiration !== null) {
      const at = Number(body.expiration);
      if (!Number.isInteger(at)) return invalid(`Invalid value for expiration: ${String(body.expiration)}`);
      // Not documented; an expiration already past cannot open a channel, so it is refused.
      if (at <= now) return invalid(`Channel expiration ${at} is in the past (Unix milliseconds expected)`);
      candidates.push(at);
    }
    if (candidates.length === 1) candidates.push(now + limits.default * 1000);
    return { at: Math.min(...candidates) };
  }

  private enqueue(channel: PushChannel, notification: Notification): void {
    // "Sync messages always have an X-Goog-Message-Number HTTP header value of 1. Each subsequent
    // notification for this channel has a message number that's larger than the previous one, though the
    // message numbers will not be sequential."
    const messageNumber =
      notification.state === "sync" ? 1 : channel.lastMessageNumber + 2 + Math.floor(this.random() * 1000);
    channel.lastMessageNumber = messageNumber;
    const record: DeliveryRecord = {
      channelId: channel.id,
      messageNumber,
      resourceState: notification.state,
      attempts: [],
      outcome: "pending",
    };
    this.records.push(record);
    // One notification at a time per channel, in order. (The Reports guide warns "Notifications may not be
    // delivered in the order in which events occur"; the emulator keeps order so tests are deterministic.)
    const previous = this.queues.get(channel.id) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(channel, notification, record));
    this.queues.set(channel.id, next);
  }

  private async deliver(
    channel: PushChannel,
    notification: Notification,
    record: DeliveryRecord,
  ): Promise<void> {
    const bodyText = notification.body === undefined ? "" : JSON.stringify(notification.body);
    for (let attempt = 0; attempt < this.maxAttempts; attempt += 1) {
      if (!this.isLive(channel)) {
        record.outcome = "channel-closed";
        return;
      }
      const headers: Record<string, string> = {
        // As in the guides' examples: "Content-Type: application/json; utf-8".
        "content-type": "application/json; utf-8",
        // "Notification delivery HTTPS requests specify a user agent of APIs-Google".
        "user-agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)",
        "x-goog-channel-id": channel.id,
        // "Date and time of notification channel expiration, expressed in human-readable format", e.g.
        // "Tue, 29 Oct 2013 20:32:02 GMT". Every channel here expires, so the header is always sent.
        "x-goog-channel-expiration": new Date(channel.expiration).toUTCString(),
        "x-goog-resource-id": channel.resourceId,
        "x-goog-resource-uri": channel.resourceUri,
        "x-goog-resource-state": notification.state,
        "x-goog-message-number": String(record.messageNumber),
      };
      // "X-Goog-Channel-Token ... Only present if defined."
      if (channel.token !== undefined) headers["x-goog-channel-token"] = channel.token;
      let status = 0;
      if (!this.options.fetch && !isLoopback(channel.address)) {
        record.attempts.push(0);
        record.outcome = "failed";
        return;
      }
      try {
        const response = await this.fetchFn(channel.address, {
          method: "POST",
          headers,
          body: bodyText,
          redirect: "manual",
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
      } catch {
        status = 0;
      }
      record.attempts.push(status);
      if (acknowledgingStatuses.has(status)) {
        record.outcome = "acknowledged";
        return;
      }
      // "Every other return status code is considered to be a message failure." Docs are silent on a
      // connection that fails; the stricter reading drops it like any other failure.
      if (!retriedStatuses.has(status)) {
        record.outcome = "failed";
        return;
      }
      if (attempt + 1 < this.maxAttempts) await this.sleep(this.retryBaseMs * 2 ** attempt);
    }
    record.outcome = "gave-up";
  }
}

function isLoopback(address: string): boolean {
  const host = new URL(address).hostname;
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function invalid(message: string): { error: GoogleErrorSpec } {
  return { error: { status: 400, reason: "invalid", message, domain: "global" } };
}

function required(field: string): { error: GoogleErrorSpec } {
  return {
    error: { status: 400, reason: "required", message: `Required field: ${field}`, domain: "global" },
  };
}
