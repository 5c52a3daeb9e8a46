/**
 * Approving a stopped plan from Slack, end to end in the emulators: a guard stop posts the removals with
 * Approve / Reject (Slack Web API emulator), a signed click reaches the interaction endpoint's Lambda
 * handler, the decision is in the run state and the history, and the next run applies exactly the
 * approved removals. Forged, replayed and aged clicks, clicks by people not allowed and clicks on a plan
 * that changed in between change nothing.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileDirectorySource } from "../../../src/adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../../../src/adapters/file/file-identity-center.js";
import { loadRules } from "../../../src/adapters/file/rules-file.js";
import { SlackAppNotifier } from "../../../src/adapters/slack/slack-app-notifier.js";
import { slackApprovalPorts } from "../../../src/adapters/slack/slack-approval-ports.js";
import { SlackWebApi } from "../../../src/adapters/slack/slack-web-api.js";
import { FileStateStore } from "../../../src/adapters/state/file-state-store.js";
import { runMonitoredRun } from "../../../src/app/monitored-run.js";
import type { ApprovalDependencies } from "../../../src/app/slack-approval.js";
import { handleInteractionEvent } from "../../../src/handlers/slack-interaction-handler.js";
import type { Rules } from "../../../src/mapping/index.js";
import { defaultNotificationSettings } from "../../../src/notify/decide.js";
import { renderRunHistory } from "../../../src/notify/history.js";
import { examples } from "../../cli/cli-harness.js";
import {
  blockActionsPayload,
  type InteractionSender,
  slackInteractionSender,
} from "../../emulators/slack/interactions.js";
import { type SlackEmulator, startSlackEmulator } from "../../emulators/slack/web-api.js";
import { startWebhookSink, type WebhookSink } from "../../emulators/slack/webhook-sink.js";

const alerts = "C0ALERTS01";
const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const approver = { id: "U0APPROVE1", name: "aiko" };
const groupMember = { id: "U0GROUPED1", name: "kenji" };
const intruder = { id: "U0INTRUDE1", name: "mallory" };

let dir: string;
let target: string;
let rules: Rules;
let store: FileStateStore;
let now: number;
let slack: SlackEmulator;
let replies: WebhookSink;
let endpoint: Server;
let clicks: InteractionSender;
const logs: { level: string; message: string }[] = [];

async function startEndpoint(): Promise<string> {
  const api = new SlackWebApi({
    token: slack.token,
    slackApiUrl: slack.slackApiUrl,
    sleep: async (ms) => {
      now += ms;
    },
  });
  const deps: ApprovalDependencies = {
    signingSecret: async () => signingSecret,
    stateStore: store,
    clock: { now: () => new Date(now) },
    approvers: rules.notifications.slack.approvers,
    ...slackApprovalPorts(api, { allowResponseUrl: (url) => url === replies.url }),
    log: (level, message) => logs.push({ level, message }),
  };
  // The Lambda function URL, as a local HTTP server handing the handler a payload-2.0-like event.
  endpoint = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const result = await handleInteractionEvent(
        {
          headers: request.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString("base64"),
          isBase64Encoded: true,
          requestContext: { http: { method: request.method ?? "POST" } },
        },
        deps,
      );
      response.writeHead(result.statusCode, result.headers).end(result.body);
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/`;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "idc-sync-approvals-"));
  target = join(dir, "ic.json");
  await copyFile(examples("identity-center.json"), target);
  store = new FileStateStore(join(dir, "state.json"));
  const loaded = await loadRules(examples("rules.yaml"));
  if (!loaded.ok) throw new Error("the example rules do not load");
  rules = {
    ...loaded.rules,
    safety: { ...loaded.rules.safety, maxDeletions: 0 },
    notifications: {
      slack: { ...loaded.rules.notifications.slack, channel: alerts, approvers: [approver.id, "S0AWSADMIN"] },
    },
  };
  now = Date.parse("2026-05-04T09:00:00.000Z");
  logs.length = 0;
  slack = await startSlackEmulator({
    now: () => now,
    usergroups: [{ id: "S0AWSADMIN", users: [groupMember.id] }],
  });
  replies = await startWebhookSink();
  clicks = slackInteractionSender({ url: await startEndpoint(), signingSecret, now: () => now });
});
afterEach(async () => {
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  await replies.close();
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

async function run() {
  now += 15 * 60_000;
  const source = new FileDirectorySource(examples("directory.yaml"));
  return runMonitoredRun({
    rules,
    ports: { directory: source, accounts: source, identityCenter: await FileIdentityCenter.open(target) },
    mode: "enforce",
    run: { runId: `run-${new Date(now).toISOString()}`, trigger: "schedule" },
    clock: { now: () => new Date(now) },
    stateStore: store,
    notifier: new SlackAppNotifier({
      token: slack.token,
      slackApiUrl: slack.slackApiUrl,
      channel: alerts,
      approvals: true,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    }),
    settings: defaultNotificationSettings,
  });
}

/** A membership added by hand in the target: the next plan removes it (one removal, over maxDeletions 0). */
async function handMadeMembership(userName: string): Promise<void> {
  const identityCenter = await FileIdentityCenter.open(target);
  await identityCenter.applyChange({
    kind: "addMember",
    key: `member:aws-admins:${userName}`,
    reason: "by hand",
    groupName: "aws-admins",
    userName,
  });
}

/** A managed user who is not in `group` (and is not haruto, the first hand-made member). */
async function someoneOutside(group: string): Promise<string> {
  // A member of another managed group is surely a managed user.
  const inside = new Set(await members(group));
  return (await members("developers")).filter(
    (name) => name !== "haruto.ito@example.com" && !inside.has(name),
  )[0]!;
}

async function members(group: string): Promise<string[]> {
  // The in-memory target ignores the scope; any scope reads everything.
  const state = await (await FileIdentityCenter.open(target)).readState({} as never);
  return [...(state.groups.find((candidate) => candidate.displayName === group)?.members ?? [])].sort();
}

/** The newest top-level message with buttons, and a click on one of them by `user`. */
function click(user: { id: string; name: string }, action: "approve" | "reject", digest?: string) {
  const message = slack
    .messages(alerts)
    .filter((m) => !m.thread_ts && JSON.stringify(m.blocks).includes("idc-sync.approve"))
    .at(-1)!;
  const actions = message.blocks!.find((block) => (block as { type: string }).type === "actions") as {
    elements: { action_id: string; value: string }[];
  };
  const button = actions.elements.find((element) => element.action_id === `idc-sync.${action}`)!;
  return blockActionsPayload({
    user,
    channel: { id: alerts, name: "idc-sync-alerts" },
    message: { ts: message.ts },
    actions: [{ actionId: button.action_id, value: digest ?? button.value }],
    responseUrl: replies.url,
  });
}

describe("approving a plan a guard stopped, from Slack", () => {
  it("lets the next run apply exactly the approved removals, and keeps it all in the history", async () => {
    await run();
    await handMadeMembership("haruto.ito@example.com");
    const stopped = await run();
    expect(stopped.result.status).toBe("blocked");
    expect(await members("aws-admins")).toContain("haruto.ito@example.com");

    const answer = await clicks.send(click(approver, "approve"));
    expect(answer.status).toBe(200);
    expect(JSON.stringify(replies.messages.at(-1))).toContain("approved these 1 removals");

    const applied = await run();
    expect(applied.result.status).toBe("applied");
    expect(await members("aws-admins")).not.toContain("haruto.ito@example.com");
    const history = renderRunHistory(await store.listRuns(10));
    expect(history).toMatch(/approved\s+enforce\s+slack/);
    expect(history).toContain(`removals approved in Slack by aiko (${approver.id})`);
    // The approval is used up: the same stop later asks again.
    expect((await store.load()).state?.approval).toBeUndefined();
    // The alert, the decision and the recovery are one thread.
    const stop = slack
      .messages(alerts)
      .find((m) => !m.thread_ts && JSON.stringify(m.blocks).includes("idc-sync.approve"))!;
    const thread = slack.thread(alerts, stop.ts).map((m) => m.text ?? "");
    expect(thread.some((text) => text.includes("approved these 1 removals"))).toBe(true);
    expect(thread.some((text) => text.includes("recovered"))).toBe(true);
  });

  it("accepts a member of an approving user group (usergroups.users.list)", async () => {
    await run();
    await handMadeMembership("haruto.ito@example.com");
    await run();

    await clicks.send(click(groupMember, "approve"));

    expect((await store.load()).state?.approval?.decision).toMatchObject({
      verdict: "approved",
      by: groupMember.id,
    });
    expect(slack.calls("usergroups.users.list").total).toBe(1);
  });

  it("asks again when the plan changed between the click and the next run", async () => {
    await run();
    await handMadeMembership("haruto.ito@example.com");
    await run();
    await clicks.send(click(approver, "approve"));
    await handMadeMembership(await someoneOutside("aws-admins"));

    const again = await run();

    expect(again.result.status).toBe("blocked");
    expect(await members("aws-admins")).toEqual(expect.arrayContaining(["haruto.ito@example.com"]));
    const latest = slack
      .messages(alerts)
      .filter((m) => !m.thread_ts && JSON.stringify(m.blocks).includes("idc-sync.approve"))
      .at(-1)!;
    expect(JSON.stringify(latest.blocks)).toContain("The plan changed since");
    // The old button is stale now.
    const stale = await clicks.send(
      click(approver, "approve", (await store.load()).state!.approval!.requested!.digest.replace(/.$/, "x")),
    );
    expect(stale.status).toBe(200);
    expect(JSON.stringify(replies.messages.at(-1))).toContain("is no longer the one waiting");
  });

  it("records a rejection: the removals stay stopped and no buttons are offered again for them", async () => {
    await run();
    await handMadeMembership("haruto.ito@example.com");
    await run();

    await clicks.send(click(approver, "reject"));
    const next = await run();

    expect(next.result.status).toBe("blocked");
    expect(await members("aws-admins")).toContain("haruto.ito@example.com");
    expect(renderRunHistory(await store.listRuns(10))).toMatch(/rejected\s+enforce\s+slack/);
  });

  describe("bad clicks change nothing", () => {
    beforeEach(async () => {
      await run();
      await handMadeMembership("haruto.ito@example.com");
      await run();
    });

    const nothingChanged = async () => {
      expect((await store.load()).state?.approval?.decision).toBeUndefined();
      const after = await run();
      expect(after.result.status).toBe("blocked");
      expect(await members("aws-admins")).toContain("haruto.ito@example.com");
    };

    it.each([
      "wrong-secret",
      "tampered-body",
      "missing-signature",
      "missing-timestamp",
      "other-version",
    ] as const)("refuses a forged click (%s) with 401 and a log line, and posts nothing", async (forge) => {
      const repliesBefore = replies.messages.length;
      const answer = await clicks.send(click(approver, "approve"), { forge });

      expect(answer.status).toBe(401);
      expect(replies.messages).toHaveLength(repliesBefore);
      expect(logs.at(-1)).toMatchObject({ level: "warn", message: expect.stringContaining("signature") });
      await nothingChanged();
    });

    it("refuses a click older than five minutes (a replay)", async () => {
      const answer = await clicks.send(click(approver, "approve"), { ageSeconds: 301 });

      expect(answer.status).toBe(401);
      expect(answer.text).toContain("more than five minutes");
      await nothingChanged();
    });

    it("refuses the same signed request replayed after five minutes", async () => {
      const first = clicks.sign(click(approver, "reject"));
      now += 6 * 60_000;

      const replayed = await clicks.replay(first);

      expect(replayed.status).toBe(401);
      await nothingChanged();
    });

    it("refuses someone who is not an approver, telling them why", async () => {
      const answer = await clicks.send(click(intruder, "approve"));

      expect(answer.status).toBe(200);
      expect(JSON.stringify(replies.messages.at(-1))).toContain("not allowed to approve");
      expect(logs.at(-1)).toMatchObject({
        level: "warn",
        message: expect.stringContaining("not an approver"),
      });
      await nothingChanged();
    });
  });
});
