import { beforeEach, describe, expect, it } from "vitest";
import { channelToken } from "../../../src/events/channel-token.js";
import {
  deduplicationId,
  type PushRequest,
  receiveGoogleNotification,
} from "../../../src/events/push-receiver.js";
import { aChannel, InMemoryChannelStore, RecordingLogger, RecordingQueue } from "./fakes.js";

const secret = "s3cret-s3cret-s3cret-s3cret-s3cret-s3cret";

function notification(
  overrides: {
    channelId?: string;
    token?: string | null;
    state?: string;
    number?: number;
    resourceId?: string;
    body?: unknown;
  } = {},
): PushRequest {
  const channelId = overrides.channelId ?? "channel-1";
  const token = overrides.token === undefined ? channelToken(secret, channelId) : overrides.token;
  return {
    method: "POST",
    headers: {
      "X-Goog-Channel-ID": channelId,
      ...(token === null ? {} : { "X-Goog-Channel-Token": token }),
      "X-Goog-Resource-ID": overrides.resourceId ?? "resource-1",
      "X-Goog-Resource-State": overrides.state ?? "update",
      "X-Goog-Message-Number": String(overrides.number ?? 10),
      "X-Goog-Resource-URI":
        "https://admin.googleapis.com/admin/directory/v1/users?customer=my_customer&event=update",
    },
    body: JSON.stringify(
      overrides.body ?? {
        kind: "admin#directory#user",
        id: "1001",
        etag: '"x"',
        primaryEmail: "Mei.Tanaka@example.com",
      },
    ),
  };
}

describe("the Google push receiver", () => {
  let channels: InMemoryChannelStore;
  let queue: RecordingQueue;
  let logger: RecordingLogger;
  const deps = () => ({ channels, queue, logger, channelSecret: async () => secret });

  beforeEach(async () => {
    channels = new InMemoryChannelStore();
    queue = new RecordingQueue();
    logger = new RecordingLogger();
    await channels.create(aChannel());
  });

  it("enqueues the person a Directory notification names, by e-mail, deduplicated by channel and message number", async () => {
    const answer = await receiveGoogleNotification(notification(), deps());
    expect(answer).toEqual({ status: 200, outcome: "enqueued" });
    expect(queue.sent).toEqual([
      {
        message: {
          kind: "targeted",
          origin: "google-push",
          subjects: [{ kind: "person", email: "mei.tanaka@example.com" }],
        },
        deduplicationId: deduplicationId("channel-1", 10),
      },
    ]);
  });

  it("refuses a forged token with 401 and reads nothing, and never logs the token", async () => {
    const forged = await receiveGoogleNotification(notification({ token: "guessed-token" }), deps());
    const missing = await receiveGoogleNotification(notification({ token: null }), deps());
    const otherChannels = await receiveGoogleNotification(
      notification({ token: channelToken(secret, "channel-2") }),
      deps(),
    );
    expect([forged.status, missing.status, otherChannels.status]).toEqual([401, 401, 401]);
    expect(queue.sent).toEqual([]);
    expect(logger.text()).not.toContain("guessed-token");
    expect(logger.text()).not.toContain(channelToken(secret, "channel-1"));
  });

  it("acknowledges and ignores a notification of a channel it does not know, or of another resource", async () => {
    const unknown = await receiveGoogleNotification(notification({ channelId: "channel-stopped" }), deps());
    const otherResource = await receiveGoogleNotification(notification({ resourceId: "resource-9" }), deps());
    expect([unknown, otherResource]).toEqual([
      { status: 200, outcome: "unknown-channel" },
      { status: 200, outcome: "unknown-channel" },
    ]);
    expect(queue.sent).toEqual([]);
  });

  it("ignores a replayed message number, but accepts an earlier number that had not been seen (out of order)", async () => {
    await receiveGoogleNotification(notification({ number: 20 }), deps());
    const replay = await receiveGoogleNotification(notification({ number: 20 }), deps());
    const late = await receiveGoogleNotification(notification({ number: 15 }), deps());
    expect(replay).toEqual({ status: 200, outcome: "replayed" });
    expect(late).toEqual({ status: 200, outcome: "enqueued" });
    expect(queue.sent).toHaveLength(2);
  });

  it("ignores a stale number, older than every number in a full window", async () => {
    await channels.replace(aChannel({ seen: Array.from({ length: 64 }, (_, i) => 1000 - i) }), 1);
    const stale = await receiveGoogleNotification(notification({ number: 500 }), deps());
    expect(stale).toEqual({ status: 200, outcome: "stale" });
    expect(queue.sent).toEqual([]);
  });

  it("answers the sync message with 200 and enqueues nothing", async () => {
    const answer = await receiveGoogleNotification(
      notification({ state: "sync", number: 1, body: {} }),
      deps(),
    );
    expect(answer).toEqual({ status: 200, outcome: "sync" });
    expect(queue.sent).toEqual([]);
  });

  it("answers 503 when the queue is down, so Google retries, and takes the retry", async () => {
    queue.failNext = 1;
    const first = await receiveGoogleNotification(notification({ number: 30 }), deps());
    const retry = await receiveGoogleNotification(notification({ number: 30 }), deps());
    expect(first).toEqual({ status: 503, outcome: "unavailable" });
    expect(retry).toEqual({ status: 200, outcome: "enqueued" });
  });

  it("refuses a request without Google's headers with 400", async () => {
    const answer = await receiveGoogleNotification({ method: "POST", headers: {}, body: "" }, deps());
    expect(answer.status).toBe(400);
  });

  it("enqueues the group and member a Reports groups_enterprise activity names", async () => {
    await channels.create(
      aChannel({
        id: "channel-r",
        api: "reports",
        watch: "reports:groups_enterprise",
        resourceId: "resource-r",
      }),
    );
    const activity = {
      kind: "admin#reports#activity",
      events: [
        {
          type: "moderator_action",
          name: "remove_member",
          parameters: [
            { name: "group_id", value: "AWS-Admins@example.com" },
            { name: "member_id", value: "mei.tanaka@example.com" },
            { name: "member_type", value: "user" },
          ],
        },
      ],
    };
    const answer = await receiveGoogleNotification(
      notification({
        channelId: "channel-r",
        resourceId: "resource-r",
        state: "remove_member",
        body: activity,
      }),
      deps(),
    );
    expect(answer.outcome).toBe("enqueued");
    expect(queue.sent[0]?.message).toEqual({
      kind: "targeted",
      origin: "google-push",
      subjects: [
        { kind: "group", email: "aws-admins@example.com" },
        { kind: "person", email: "mei.tanaka@example.com" },
      ],
    });
  });

  it("bounds a flood: a thousand notifications of one channel are one queue message each, none is run here", async () => {
    for (let number = 2; number < 1002; number += 1)
      await receiveGoogleNotification(notification({ number }), deps());
    expect(queue.sent).toHaveLength(1000);
    expect(new Set(queue.sent.map((sent) => sent.deduplicationId)).size).toBe(1000);
  });
});
