import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blockActionsPayload, slackInteractionSender, slackSignature } from "./interactions.js";

const secret = "8f742231b10e8888abcd99yyyzzz85a5";
let now: number;
let received: Array<{
  headers: Record<string, string | string[] | undefined>;
  body: string;
  verdict: string;
}>;
let close: () => Promise<void>;
let url: string;

/**
 * A receiver that checks requests the way Slack's page says, written independently of the sender so the
 * test checks the scheme rather than echoing it: five-minute window, v0 HMAC-SHA256, constant-time compare.
 */
function verdictFor(headers: Record<string, string | string[] | undefined>, body: string): string {
  const timestamp = headers["x-slack-request-timestamp"];
  const signature = headers["x-slack-signature"];
  if (typeof timestamp !== "string" || typeof signature !== "string") return "missing header";
  if (Math.abs(now / 1000 - Number(timestamp)) > 5 * 60) return "stale";
  const expected = Buffer.from(
    `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`,
  );
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? "valid" : "bad signature";
}

beforeEach(async () => {
  now = Date.parse("2026-03-02T09:00:00.000Z");
  received = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const verdict = verdictFor(request.headers, body);
      received.push({ headers: request.headers, body, verdict });
      response.statusCode = verdict === "valid" ? 200 : 401;
      response.end(verdict);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/interactions`;
  close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
});
afterEach(() => close());

const approve = () =>
  blockActionsPayload({
    user: { id: "U0APPROVER", name: "aiko" },
    channel: { id: "C0ALERTS01", name: "idc-sync-alerts" },
    message: { ts: "1772441999.000100", text: "Run stopped: 12 removals" },
    actions: [{ actionId: "approve-plan", value: "sha256:0f1e2d", text: "Approve", style: "primary" }],
  });

describe("signed Slack interaction requests for tests", () => {
  it("signs exactly like Slack's worked example", () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    expect(slackSignature(secret, "1531420618", body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });

  it("sends a block_actions payload form-encoded with a valid signature and timestamp", async () => {
    const sender = slackInteractionSender({ url, signingSecret: secret, now: () => now });

    const result = await sender.send(approve());

    expect(result.status).toBe(200);
    expect(received[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(received[0]!.headers["x-slack-request-timestamp"]).toBe(String(now / 1000));
    const payload = JSON.parse(new URLSearchParams(received[0]!.body).get("payload")!);
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: "U0APPROVER", username: "aiko" },
      container: { type: "message", message_ts: "1772441999.000100", channel_id: "C0ALERTS01" },
      actions: [{ action_id: "approve-plan", value: "sha256:0f1e2d", type: "button", style: "primary" }],
    });
  });

  it("forges requests in each way a verifier must refuse", async () => {
    const sender = slackInteractionSender({ url, signingSecret: secret, now: () => now });

    const verdicts = [];
    for (const forge of [
      "wrong-secret",
      "tampered-body",
      "missing-signature",
      "missing-timestamp",
      "other-version",
    ] as const) {
      verdicts.push((await sender.send(approve(), { forge })).text);
    }

    expect(verdicts).toEqual([
      "bad signature",
      "bad signature",
      "missing header",
      "missing header",
      "bad signature",
    ]);
  });

  it("ages a request past the five-minute window and replays the very same bytes later", async () => {
    const sender = slackInteractionSender({ url, signingSecret: secret, now: () => now });

    const aged = await sender.send(approve(), { ageSeconds: 301 });
    const fresh = await sender.send(approve());
    now += 6 * 60 * 1000;
    const replayed = await sender.replay(fresh.sent);

    expect(aged.text).toBe("stale");
    expect(fresh.text).toBe("valid");
    expect(replayed.text).toBe("stale");
    expect(received[2]!.body).toBe(received[1]!.body);
    expect(received[2]!.headers["x-slack-signature"]).toBe(received[1]!.headers["x-slack-signature"]);
  });
});
