import { admin } from "@googleapis/admin";
import { OAuth2Client } from "google-auth-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sampleSnapshot } from "../../integration/google/google-test-kit.js";
import { type GoogleDirectoryEmulator, startGoogleDirectoryEmulator } from "./emulator.js";
import { type PushReceiver, startPushReceiver } from "./push-receiver.js";

const start = Date.parse("2026-03-02T09:00:00.000Z");
const hour = 60 * 60 * 1000;

let emulator: GoogleDirectoryEmulator;
let receiver: PushReceiver;
let now: number;
let sleeps: number[];

function clients() {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: emulator.accessToken, token_type: "Bearer" });
  return {
    directory: admin({ version: "directory_v1", auth, rootUrl: emulator.url }),
    reports: admin({ version: "reports_v1", auth, rootUrl: emulator.url }),
  };
}

beforeEach(async () => {
  now = start;
  sleeps = [];
  receiver = await startPushReceiver();
  emulator = await startGoogleDirectoryEmulator({
    snapshot: sampleSnapshot(),
    push: {
      now: () => now,
      // Backoff waits advance the emulator's clock instead of sleeping.
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      acceptHttpAddresses: true,
      adminEmail: "dana@example.com",
    },
  });
});
afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

async function watchUsers(
  event: string,
  body: Record<string, unknown> = {},
  scope = { customer: "my_customer" },
) {
  const { directory } = clients();
  const response = await directory.users.watch({
    ...scope,
    event,
    requestBody: { id: `channel-${event}`, type: "web_hook", address: receiver.url, ...body },
  });
  return response.data;
}

const header = (index: number, name: string) => receiver.received[index]?.headers[name];

describe("Directory users.watch in the Google emulator, through @googleapis/admin", () => {
  it("opens a channel with a resource id, the token and a two-hour default expiration", async () => {
    const channel = await watchUsers("update", { token: "tenant=acme" });

    expect(channel).toEqual({
      kind: "api#channel",
      id: "channel-update",
      resourceId: expect.stringMatching(/^[\w-]{10,}$/),
      resourceUri: `${emulator.url}admin/directory/v1/users?customer=my_customer&event=update&alt=json`,
      token: "tenant=acme",
      expiration: String(start + 2 * hour),
    });
  });

  it("caps params.ttl at two days and takes the more restrictive of ttl and expiration", async () => {
    const capped = await watchUsers("add", { params: { ttl: String(7 * 24 * 3600) } });
    const short = await watchUsers("delete", { params: { ttl: "600" }, expiration: String(start + hour) });

    expect(capped.expiration).toBe(String(start + 48 * hour));
    expect(short.expiration).toBe(String(start + 600_000));
  });

  it("sends a sync message first, numbered 1, without a body", async () => {
    const channel = await watchUsers("update", { token: "t0k" });
    await emulator.push.channels.settle();

    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.body).toBe("");
    expect(receiver.received[0]!.headers).toMatchObject({
      "x-goog-channel-id": "channel-update",
      "x-goog-channel-token": "t0k",
      "x-goog-channel-expiration": new Date(start + 2 * hour).toUTCString(),
      "x-goog-resource-id": channel.resourceId,
      "x-goog-resource-uri": channel.resourceUri,
      "x-goog-resource-state": "sync",
      "x-goog-message-number": "1",
    });
  });

  it("notifies a suspension as update with only kind, id, etag and primaryEmail; users.get shows it", async () => {
    await watchUsers("update");
    emulator.push.suspendUser("alice@example.com");
    emulator.push.suspendUser("robert@example.com");
    await emulator.push.channels.settle();

    const [, first, second] = receiver.received;
    const body = JSON.parse(first!.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["etag", "id", "kind", "primaryEmail"]);
    expect(body).toMatchObject({
      kind: "admin#directory#user",
      id: "100000000000000000001",
      primaryEmail: "alice@example.com",
    });
    expect(first!.headers["x-goog-resource-state"]).toBe("update");
    expect(first!.headers["x-goog-channel-token"]).toBeUndefined();
    const numbers = [0, 1, 2].map((index) => Number(header(index, "x-goog-message-number")));
    expect(numbers[0]).toBe(1);
    expect(numbers[1]).toBeGreaterThan(numbers[0]! + 1);
    expect(numbers[2]).toBeGreaterThan(numbers[1]! + 1);
    expect(JSON.parse(second!.body)).toMatchObject({ primaryEmail: "robert@example.com" });

    const user = await clients().directory.users.get({ userKey: "alice@example.com" });
    expect(user.data.suspended).toBe(true);
  });

  it("delivers each event only to channels watching that event, and per domain only that domain", async () => {
    await watchUsers("delete");
    await watchUsers("add", {}, { domain: "subsidiary.example" } as never);
    emulator.push.suspendUser("alice@example.com");
    emulator.push.deleteUser("robert@example.com");
    emulator.push.addUser({
      primaryEmail: "gina@example.com",
      givenName: "Gina",
      familyName: "Garcia",
      aliases: [],
      orgUnitPath: "/",
      suspended: false,
      archived: false,
    });
    await emulator.push.channels.settle();

    const states = receiver.received.map((notification) => [
      notification.headers["x-goog-channel-id"],
      notification.headers["x-goog-resource-state"],
    ]);
    // Channels deliver independently, so only the order within one channel is fixed.
    expect(states.sort()).toEqual([
      ["channel-add", "sync"],
      ["channel-delete", "delete"],
      ["channel-delete", "sync"],
    ]);
    await expect(clients().directory.users.get({ userKey: "robert@example.com" })).rejects.toMatchObject({
      status: 404,
    });
  });

  it("retries 500, 502, 503 and 504 with exponential backoff and gives up on other statuses", async () => {
    await watchUsers("update");
    await emulator.push.channels.settle();
    receiver.answerNext(503, 502, 200, 404);
    emulator.push.suspendUser("alice@example.com");
    emulator.push.suspendUser("robert@example.com");
    await emulator.push.channels.settle();

    expect(
      emulator.push.channels.deliveries().map(({ attempts, outcome }) => ({ attempts, outcome })),
    ).toEqual([
      { attempts: [200], outcome: "acknowledged" },
      { attempts: [503, 502, 200], outcome: "acknowledged" },
      { attempts: [404], outcome: "failed" },
    ]);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it("stops a channel through channels.stop at admin/directory_v1/channels/stop", async () => {
    const channel = await watchUsers("update");
    const { directory } = clients();
    const wrong = directory.channels.stop({ requestBody: { id: channel.id!, resourceId: "nope" } });
    await expect(wrong).rejects.toMatchObject({ status: 404 });

    const stopped = await directory.channels.stop({
      requestBody: { id: channel.id!, resourceId: channel.resourceId! },
    });
    emulator.push.suspendUser("alice@example.com");
    await emulator.push.channels.settle();

    expect(stopped.status).toBe(204);
    expect(emulator.requestCounts()["/admin/directory_v1/channels/stop"]).toBe(2);
    expect(receiver.received.map((n) => n.headers["x-goog-resource-state"])).toEqual(["sync"]);
  });

  it("stops delivering when a channel expires, also in the middle of retries", async () => {
    await watchUsers("update", { params: { ttl: "5" } });
    await emulator.push.channels.settle();
    receiver.answerNext(500, 500, 500, 500);
    emulator.push.suspendUser("alice@example.com");
    await emulator.push.channels.settle();
    emulator.push.suspendUser("robert@example.com");
    await emulator.push.channels.settle();

    // Attempts at 0 s, 1 s and 3 s fail; the retry due at 7 s finds the 5-second channel expired.
    expect(
      emulator.push.channels.deliveries().map(({ attempts, outcome }) => ({ attempts, outcome })),
    ).toEqual([
      { attempts: [200], outcome: "acknowledged" },
      { attempts: [500, 500, 500], outcome: "channel-closed" },
    ]);
    expect(emulator.push.channels.live()).toEqual([]);
  });

  it("never sends to an address outside this machine unless a test injects fetch", async () => {
    await watchUsers("update", { address: "https://hooks.example.com/google" });
    await emulator.push.channels.settle();

    expect(emulator.push.channels.deliveries()).toEqual([
      expect.objectContaining({ resourceState: "sync", attempts: [0], outcome: "failed" }),
    ]);
  });

  it("expires channels on demand (test hook)", async () => {
    await watchUsers("update");
    await watchUsers("delete");
    await emulator.push.channels.settle();
    emulator.push.channels.expire("channel-update");
    emulator.push.suspendUser("alice@example.com");
    await emulator.push.channels.settle();

    expect(emulator.push.channels.live().map((channel) => channel.id)).toEqual(["channel-delete"]);
    expect(receiver.received.map((n) => n.headers["x-goog-resource-state"])).toEqual(["sync", "sync"]);
  });

  it("refuses a watch without event, with an http address when not allowed, or with oversized id and token", async () => {
    const posted: string[] = [];
    const strict = await startGoogleDirectoryEmulator({
      snapshot: sampleSnapshot(),
      // Nothing leaves this machine: deliveries to the https address are recorded, not sent.
      push: {
        fetch: async (address) => {
          posted.push(String(address));
          return new Response(null, { status: 200 });
        },
      },
    });
    try {
      const auth = new OAuth2Client();
      auth.setCredentials({ access_token: strict.accessToken });
      const directory = admin({ version: "directory_v1", auth, rootUrl: strict.url });
      const watch = (query: Record<string, string>, body: Record<string, unknown>) =>
        directory.users.watch({
          customer: "my_customer",
          ...query,
          requestBody: { id: "c1", type: "web_hook", address: "https://hooks.example.com/g", ...body },
        });

      await expect(watch({}, {})).rejects.toMatchObject({ status: 400 });
      await expect(watch({ event: "suspend" }, {})).rejects.toMatchObject({ status: 400 });
      await expect(watch({ event: "update" }, { address: receiver.url })).rejects.toMatchObject({
        status: 400,
      });
      await expect(watch({ event: "update" }, { id: "x".repeat(65) })).rejects.toMatchObject({ status: 400 });
      await expect(watch({ event: "update" }, { token: "t".repeat(257) })).rejects.toMatchObject({
        status: 400,
      });
      await expect(watch({ event: "update" }, { type: "webhook" })).rejects.toMatchObject({ status: 400 });
      await expect(watch({ event: "update" }, { expiration: "3600" })).rejects.toMatchObject({ status: 400 });
      const opened = await watch({ event: "update" }, {});
      expect(opened.data.id).toBe("c1");
      await expect(watch({ event: "add" }, {})).rejects.toMatchObject({ status: 400 });
      await strict.push.channels.settle();
      expect(posted).toEqual(["https://hooks.example.com/g"]);
    } finally {
      await strict.close();
    }
  });
});

describe("Reports activities.watch and activities.list in the Google emulator, through @googleapis/admin", () => {
  async function watchActivities(
    applicationName: string,
    body: Record<string, unknown> = {},
    eventName?: string,
  ) {
    const { reports } = clients();
    const response = await reports.activities.watch({
      userKey: "all",
      applicationName,
      ...(eventName ? { eventName } : {}),
      requestBody: {
        id: `reports-${applicationName}`,
        type: "web_hook",
        address: receiver.url,
        payload: true,
        ...body,
      },
    });
    return response.data;
  }

  it("opens channels for admin and groups_enterprise with a six-hour default and maximum", async () => {
    const adminChannel = await watchActivities("admin");
    const groupsChannel = await watchActivities("groups_enterprise", { params: { ttl: String(24 * 3600) } });

    expect(adminChannel.expiration).toBe(String(start + 6 * hour));
    expect(groupsChannel.expiration).toBe(String(start + 6 * hour));
    expect(adminChannel.resourceUri).toBe(
      `${emulator.url}admin/reports/v1/activity/users/all/applications/admin?alt=json`,
    );
  });

  it("pushes a membership change as the activity, with the event name as the resource state", async () => {
    await watchActivities("admin");
    await watchActivities("groups_enterprise");
    await emulator.push.channels.settle();
    emulator.push.addGroupMember("aws-admins@example.com", "dana@example.com");
    await emulator.push.channels.settle();

    const events = receiver.received
      .slice(2)
      .sort((a, b) =>
        String(a.headers["x-goog-channel-id"]).localeCompare(String(b.headers["x-goog-channel-id"])),
      );
    expect(events.map((n) => [n.headers["x-goog-channel-id"], n.headers["x-goog-resource-state"]])).toEqual([
      ["reports-admin", "ADD_GROUP_MEMBER"],
      ["reports-groups_enterprise", "add_member"],
    ]);
    expect(JSON.parse(events[0]!.body)).toMatchObject({
      kind: "admin#reports#activity",
      id: { applicationName: "admin", time: new Date(start).toISOString() },
      actor: { email: "dana@example.com", callerType: "USER" },
      events: [
        {
          type: "GROUP_SETTINGS",
          name: "ADD_GROUP_MEMBER",
          parameters: expect.arrayContaining([
            { name: "GROUP_EMAIL", value: "aws-admins@example.com" },
            { name: "USER_EMAIL", value: "dana@example.com" },
          ]),
        },
      ],
    });
    const members = await clients().directory.members.list({ groupKey: "aws-admins@example.com" });
    expect(members.data.members?.map((member) => member.email)).toContain("dana@example.com");
  });

  it("filters by eventName and sends no body without payload", async () => {
    await watchActivities("admin", { payload: false }, "SUSPEND_USER");
    emulator.push.addGroupMember("aws-admins@example.com", "dana@example.com");
    emulator.push.suspendUser("alice@example.com");
    await emulator.push.channels.settle();

    expect(receiver.received.map((n) => [n.headers["x-goog-resource-state"], n.body])).toEqual([
      ["sync", ""],
      ["SUSPEND_USER", ""],
    ]);
  });

  it("stops reports channels only at admin/reports_v1/channels/stop", async () => {
    const channel = await watchActivities("admin");
    const { directory, reports } = clients();
    const request = { requestBody: { id: channel.id!, resourceId: channel.resourceId! } };

    await expect(directory.channels.stop(request)).rejects.toMatchObject({ status: 404 });
    expect((await reports.channels.stop(request)).status).toBe(204);
    expect(emulator.push.channels.live()).toEqual([]);
  });

  it("lists activities newest first in pages of maxResults, filtered by event name", async () => {
    emulator.push.suspendUser("alice@example.com");
    now += 1000;
    emulator.push.addGroupMember("sre@example.com", "dana@example.com");
    now += 1000;
    emulator.push.removeGroupMember("sre@example.com", "alice@example.com");
    now += 1000;
    emulator.push.unsuspendUser("alice@example.com");
    emulator.push.suspendUser("robert@example.com", { audit: false });
    const { reports } = clients();

    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await reports.activities.list({
        userKey: "all",
        applicationName: "admin",
        maxResults: 2,
        ...(pageToken ? { pageToken } : {}),
      });
      names.push(...(page.data.items ?? []).map((item) => item.events![0]!.name!));
      pageToken = page.data.nextPageToken ?? undefined;
      pages += 1;
    } while (pageToken);
    const suspensions = await reports.activities.list({
      userKey: "all",
      applicationName: "admin",
      eventName: "SUSPEND_USER",
    });
    const enterprise = await reports.activities.list({
      userKey: "all",
      applicationName: "groups_enterprise",
    });

    expect(names).toEqual(["UNSUSPEND_USER", "REMOVE_GROUP_MEMBER", "ADD_GROUP_MEMBER", "SUSPEND_USER"]);
    expect(pages).toBe(2);
    expect(suspensions.data.items).toHaveLength(1);
    expect(enterprise.data.items?.map((item) => item.events![0]!.name)).toEqual([
      "remove_member",
      "add_member",
    ]);
    await expect(
      reports.activities.list({ userKey: "all", applicationName: "admin", maxResults: 1001 }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(reports.activities.list({ userKey: "all", applicationName: "nope" })).rejects.toMatchObject({
      status: 400,
    });
  });
});
