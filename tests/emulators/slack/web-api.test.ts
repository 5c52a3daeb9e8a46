import { ErrorCode, LogLevel, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type SlackEmulator, type SlackEmulatorOptions, startSlackEmulator } from "./web-api.js";

const alerts = "C0ALERTS01";
let emulator: SlackEmulator;
let now: number;

async function start(options: SlackEmulatorOptions = {}): Promise<void> {
  emulator = await startSlackEmulator({
    now: () => now,
    users: [
      { id: "U0MEI00001", name: "mei", email: "mei.tanaka@example.com", realName: "Mei Tanaka" },
      { id: "U0GONE0001", name: "gone", email: "gone@example.com", deleted: true },
    ],
    ...options,
  });
}

function client(token = emulator.token, extra: Record<string, unknown> = {}): WebClient {
  return new WebClient(token, {
    slackApiUrl: emulator.slackApiUrl,
    logLevel: LogLevel.ERROR,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    ...extra,
  });
}

/** The `error` string of a Web API platform error, or the client error's code. */
async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const failure = error as { code?: string; data?: { error?: string } };
    return failure.code === ErrorCode.PlatformError ? failure.data!.error! : failure.code!;
  }
  throw new Error("the call succeeded");
}

beforeEach(() => {
  now = Date.parse("2026-03-02T09:00:00.000Z");
});
afterEach(() => emulator.close());

describe("the Slack Web API emulator, through the official @slack/web-api client", () => {
  it("answers auth.test for a known bot token and invalid_auth for any other", async () => {
    await start();

    const identity = await client().auth.test();

    expect(identity).toMatchObject({ ok: true, team_id: "T0EMULATOR", user_id: "U0BOTUSER1" });
    expect(await slackError(client("xoxb-stolen").auth.test())).toBe("invalid_auth");
    expect(
      await slackError(new WebClient(undefined, { slackApiUrl: emulator.slackApiUrl }).auth.test()),
    ).toBe("not_authed");
  });

  it("posts a message, threads replies under it and updates it", async () => {
    await start();
    const slack = client();

    const alert = await slack.chat.postMessage({ channel: alerts, text: "drift: 3 memberships" });
    now += 1000;
    const reply = await slack.chat.postMessage({ channel: alerts, thread_ts: alert.ts!, text: "reminder" });
    now += 1000;
    await slack.chat.update({ channel: alerts, ts: alert.ts!, text: "drift: resolved" });

    expect(alert).toMatchObject({ ok: true, channel: alerts, ts: expect.stringMatching(/^\d{10}\.\d{6}$/) });
    expect(reply.message).toMatchObject({ thread_ts: alert.ts });
    expect(emulator.thread(alerts, alert.ts!).map((message) => message.text)).toEqual(["reminder"]);
    expect(emulator.messages(alerts)[0]).toMatchObject({ text: "drift: resolved", edits: 1 });
    expect(
      await slackError(
        slack.chat.postMessage({ channel: alerts, thread_ts: reply.ts!, text: "reply to a reply" }),
      ),
    ).toBe("thread_not_found");
  });

  it("answers channel_not_found, no_text and message_not_found", async () => {
    await start({ rateLimits: "off" });
    const slack = client();

    expect(await slackError(slack.chat.postMessage({ channel: "C0NOWHERE1", text: "x" }))).toBe(
      "channel_not_found",
    );
    expect(await slackError(slack.chat.postMessage({ channel: alerts, text: "" }))).toBe("no_text");
    expect(await slackError(slack.chat.update({ channel: alerts, ts: "1.000001", text: "x" }))).toBe(
      "message_not_found",
    );
    await expect(
      slack.chat.postMessage({ channel: "#idc-sync-alerts", text: "by name" }),
    ).resolves.toMatchObject({
      channel: alerts,
    });
  });

  it("enforces 40,000 characters of text, 50 blocks and 3,000 characters per section", async () => {
    await start({ rateLimits: "off" });
    const slack = client();
    const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

    await slack.chat.postMessage({ channel: alerts, text: "x".repeat(40_000) });
    await slack.chat.postMessage({
      channel: alerts,
      text: "fallback",
      blocks: Array.from({ length: 50 }, () => section("y".repeat(3_000))),
    });
    expect(await slackError(slack.chat.postMessage({ channel: alerts, text: "x".repeat(40_001) }))).toBe(
      "msg_too_long",
    );
    expect(
      await slackError(
        slack.chat.postMessage({
          channel: alerts,
          text: "f",
          blocks: Array.from({ length: 51 }, () => section("y")),
        }),
      ),
    ).toBe("invalid_blocks");

    const tooLongSection = slack.chat.postMessage({
      channel: alerts,
      text: "f",
      blocks: [section("z".repeat(3_001))],
    });
    await expect(tooLongSection).rejects.toMatchObject({
      data: {
        error: "invalid_blocks",
        response_metadata: {
          messages: ["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
        },
      },
    });
    const header = { type: "header", text: { type: "plain_text", text: "h".repeat(151) } };
    expect(await slackError(slack.chat.postMessage({ channel: alerts, text: "f", blocks: [header] }))).toBe(
      "invalid_blocks",
    );
  });

  it("looks users up by e-mail and opens a direct message to them", async () => {
    await start({ rateLimits: "off" });
    const slack = client();

    const found = await slack.users.lookupByEmail({ email: "Mei.Tanaka@example.com" });
    const dm = await slack.conversations.open({ users: found.user!.id! });
    const again = await slack.conversations.open({ users: found.user!.id! });
    const welcome = await slack.chat.postMessage({ channel: dm.channel!.id!, text: "Welcome to AWS" });

    expect(found.user).toMatchObject({ id: "U0MEI00001", profile: { email: "mei.tanaka@example.com" } });
    expect(dm.channel!.id).toMatch(/^D/);
    expect(again).toMatchObject({ already_open: true, channel: { id: dm.channel!.id } });
    expect(welcome.channel).toBe(dm.channel!.id);
    expect(emulator.directMessageChannel("U0MEI00001")).toBe(dm.channel!.id);
    expect(await slackError(slack.users.lookupByEmail({ email: "nobody@example.com" }))).toBe(
      "users_not_found",
    );
    expect(await slackError(slack.users.lookupByEmail({ email: "gone@example.com" }))).toBe(
      "users_not_found",
    );
    expect(await slackError(slack.conversations.open({ users: "U0NOBODY01" }))).toBe("user_not_found");
  });

  it("answers HTTP 429 with Retry-After past one message per second per channel", async () => {
    await start({
      channels: [
        { id: alerts, name: "alerts" },
        { id: "C0OTHER001", name: "other" },
      ],
    });
    const slack = client();
    await slack.chat.postMessage({ channel: alerts, text: "first" });

    const limited = slack.chat.postMessage({ channel: alerts, text: "second" });
    await expect(limited).rejects.toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    await slack.chat.postMessage({ channel: "C0OTHER001", text: "another channel is fine" });
    now += 1000;
    await slack.chat.postMessage({ channel: alerts, text: "a second later" });

    const raw = await fetch(`${emulator.slackApiUrl}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: alerts, text: "too soon" }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get("retry-after")).toBe("1");
    expect(await raw.json()).toEqual({ ok: false, error: "ratelimited" });
    expect(emulator.calls("chat.postMessage")).toEqual({ total: 5, rateLimited: 2 });
  });

  it("limits Tier 3 methods to 50 a minute per token", async () => {
    await start();
    const slack = client();
    for (let call = 0; call < 50; call += 1) {
      await slack.users.lookupByEmail({ email: "mei.tanaka@example.com" });
      now += 100;
    }

    await expect(slack.users.lookupByEmail({ email: "mei.tanaka@example.com" })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 55,
    });
    now += 55_000;
    await expect(slack.users.lookupByEmail({ email: "mei.tanaka@example.com" })).resolves.toMatchObject({
      ok: true,
    });
  });

  it("is waited out by the client when it honours Retry-After", async () => {
    emulator = await startSlackEmulator();
    const slack = client(emulator.token, { rejectRateLimitedCalls: false, retryConfig: { retries: 1 } });

    await slack.chat.postMessage({ channel: alerts, text: "first" });
    const second = await slack.chat.postMessage({ channel: alerts, text: "second, after Retry-After" });

    expect(second.ok).toBe(true);
    expect(emulator.calls("chat.postMessage")).toEqual({ total: 3, rateLimited: 1 });
  });
});
