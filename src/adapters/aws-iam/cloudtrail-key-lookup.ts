/**
 * What one access key did, from CloudTrail's event history: LookupEvents by AccessKeyId in each region
 * asked, paged with NextToken. LookupEvents allows 2 requests per second per account and region, so
 * each (account, region) gets its own token bucket: lookups in different accounts or regions run in
 * parallel, lookups sharing one queue behind it. Throttling that still happens is retried.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { failedKeyActivity, summarizeKeyActivity } from "../../audit/activity.js";
import type { KeyActivity, KeyEvent } from "../../audit/model.js";
import { type RetryContext, sendAwsRequest } from "../aws/aws-caller.js";
import { TokenBucket } from "../aws/limits.js";

/** CloudTrail's published LookupEvents limit. */
export const lookupEventsPerSecond = 2;
/** The most LookupEvents returns in one page. */
const pageSize = 50;
/** CloudTrail event history keeps 90 days. */
export const maxCloudTrailDays = 90;

export interface CloudTrailKeyLookupOptions extends RetryContext {
  /** A CloudTrail client for the account in `region`. */
  clientFor: (region: string) => CloudTrailClient;
  /** Requests per second per region; CloudTrail's limit by default. */
  perSecond?: number;
  /** Stop counting after this many events of one key: the summary then says "at least". */
  maxEventsPerKey: number;
  /** For the token buckets; injectable so tests run the limiter on a fake clock. */
  now?: () => number;
}

export class CloudTrailKeyLookup {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly options: CloudTrailKeyLookupOptions) {}

  /** The key's events between `start` and `end` in every region given, summarised. */
  async activity(
    accessKeyId: string,
    regions: readonly string[],
    start: Date,
    end: Date,
  ): Promise<KeyActivity> {
    const events: KeyEvent[] = [];
    let truncated = false;
    try {
      for (const region of regions) {
        const remaining = this.options.maxEventsPerKey - events.length;
        if (remaining <= 0) {
          truncated = true;
          break;
        }
        const found = await this.lookup(accessKeyId, region, start, end, remaining);
        events.push(...found.events);
        truncated ||= found.truncated;
      }
    } catch (error) {
      return failedKeyActivity(
        accessKeyId,
        [...regions],
        `${(error as Error).name}: ${(error as Error).message}`,
      );
    }
    return summarizeKeyActivity(accessKeyId, [...regions], events, { truncated });
  }

  private async lookup(
    accessKeyId: string,
    region: string,
    start: Date,
    end: Date,
    limit: number,
  ): Promise<{ events: KeyEvent[]; truncated: boolean }> {
    const client = this.options.clientFor(region);
    const bucket = this.bucketFor(region);
    const events: KeyEvent[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await sendAwsRequest("cloudtrail:LookupEvents", bucket, this.options, () =>
        client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: "AccessKeyId", AttributeValue: accessKeyId }],
            StartTime: start,
            EndTime: end,
            MaxResults: pageSize,
            NextToken: token,
          }),
        ),
      );
      for (const event of page.Events ?? []) {
        const detail = parseDetail(event.CloudTrailEvent);
        events.push({
          at: event.EventTime ?? end,
          eventSource: event.EventSource ?? detail.eventSource ?? "unknown",
          eventName: event.EventName ?? "unknown",
          ...(detail.sourceIPAddress ? { sourceIp: detail.sourceIPAddress } : {}),
          ...(detail.userAgent ? { userAgent: detail.userAgent } : {}),
          region: detail.awsRegion ?? region,
        });
        if (events.length >= limit) return { events, truncated: true };
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return { events, truncated: false };
  }

  private bucketFor(region: string): TokenBucket {
    let bucket = this.buckets.get(region);
    if (!bucket) {
      bucket = new TokenBucket(
        this.options.perSecond ?? lookupEventsPerSecond,
        this.options.sleep,
        this.options.now,
      );
      this.buckets.set(region, bucket);
    }
    return bucket;
  }
}

/** The full record is a JSON string; a record that does not parse still counts as an event. */
function parseDetail(text: string | undefined): {
  sourceIPAddress?: string;
  userAgent?: string;
  awsRegion?: string;
  eventSource?: string;
} {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const string = (value: unknown) => (typeof value === "string" ? value : undefined);
    const detail: { sourceIPAddress?: string; userAgent?: string; awsRegion?: string; eventSource?: string } =
      {};
    const ip = string(parsed.sourceIPAddress);
    const agent = string(parsed.userAgent);
    const region = string(parsed.awsRegion);
    const source = string(parsed.eventSource);
    if (ip) detail.sourceIPAddress = ip;
    if (agent) detail.userAgent = agent;
    if (region) detail.awsRegion = region;
    if (source) detail.eventSource = source;
    return detail;
  } catch {
    return {};
  }
}
