import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SlackAppNotifier } from "../../../src/adapters/slack/slack-app-notifier.js";
import type { DriftItem, Notice, NoticeRun } from "../../../src/sync/notices.js";
import type { SlackThread } from "../../../src/sync/run-state.js";
import { type SlackEmulator, startSlackEmulator } from "../../emulators/slack/web-api.js";

const alerts = "C0ALERTS01";
let emulator: SlackEmulator;
let now: number;
let waits: number[];

const run: NoticeRun = {
  runId: "run-1",
  trigger: "schedule",
  mode: "report",
  at: "2026-03-02T09:00:00.000Z",
};
const mallory: DriftItem = {
  key: "member:aws-admins:mallory@example.com",
  kind: "removeMember",
  summary: "- membership aws-admins ← mallory@example.com",
  reason: "not a member of aws-admins@example.com in Google",
  firstSeenAt: run.at,
  status: "open",
};

function notifier(extra: { approvals?: boolean } = {}): SlackAppNotifier {
  return new SlackAppNotifier({
    token: emulator.token,
    slackApiUrl: emulator.slackApiUrl,
    channel: alerts,
    approvals: extra.approvals ?? false,
    now: () => now,
    // The emulator's clock moves by the waits the notifier asks for: no real waiting, no wall clock.
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
}

/** Sends notices one after the other, carrying the threads as the run state would. */
async function send(target: SlackAppNotifier, notices: Notice[], threads: Record<string, SlackThread> = {}) {
  let kept = threads;
  for (const notice of notices) {
    const delivery = await target.notify(notice, { threads: kept });
    if (!delivery.delivered) throw new Error(delivery.error);
    kept = delivery.threads ?? kept;
    // The next run comes a while later.
    now += 60_000;
  }
  return kept;
}

beforeEach(async () => {
  now = Date.parse("2026-03-02T09:00:00.000Z");
  waits = [];
  emulator = await startSlackEmulator({ now: () => now });
});
afterEach(() => emulator.close());

describe("Slack app mode: one thread per alert", () => {
  it("posts drift at the top, then its reminder and its resolution in the drift's thread", async () => {
    const threads = await send(notifier(), [
      { kind: "drift", run, items: [mallory] },
      { kind: "driftReminder", run, items: [mallory] },
      { kind: "driftResolved", run, items: [{ ...mallory, status: "reverted", resolvedBy: "elsewhere" }] },
    ]);

    const top = emulator.messages(alerts).filter((message) => !message.thread_ts);
    expect(top).toHaveLength(1);
    const replies = emulator.thread(alerts, top[0]!.ts);
    expect(replies.map((reply) => reply.text)).toEqual([
      expect.stringContaining("Drift still open"),
      expect.stringContaining("Drift resolved"),
    ]);
    expect(threads).toEqual({});
  });

  it("threads the next failures and the recovery under the first failure", async () => {
    const failure: Notice = {
      kind: "failure",
      run,
      problem: "error",
      message: "GoogleReadError: the directory could not be read",
      details: [],
      failedRuns: 1,
    };
    const threads = await send(notifier(), [
      failure,
      { ...failure, failedRuns: 2 },
      { kind: "recovered", run, failingSince: run.at, failedRuns: 2 },
    ]);

    const top = emulator.messages(alerts).filter((message) => !message.thread_ts);
    expect(top).toHaveLength(1);
    expect(top[0]!.text).toContain("idc-sync run failed");
    expect(emulator.thread(alerts, top[0]!.ts).map((reply) => reply.text)).toEqual([
      expect.stringContaining("idc-sync run failed"),
      expect.stringContaining("recovered"),
    ]);
    expect(threads).toEqual({});
  });

  it("waits as long as Slack's Retry-After asks when rate-limited, then delivers", async () => {
    const target = notifier();
    // chat.postMessage allows one message per second per channel (the emulator's documented tier).
    await target.notify({ kind: "drift", run, items: [mallory] }, { threads: {} });
    const second = await target.notify(
      { kind: "recovered", run, failingSince: run.at, failedRuns: 1 },
      { threads: {} },
    );

    expect(second.delivered).toBe(true);
    expect(emulator.calls("chat.postMessage")).toEqual({ total: 3, rateLimited: 1 });
    expect(waits).toEqual([1_000]);
  });

  it("gives up with Slack's answer when Retry-After asks for longer than the window", async () => {
    await emulator.close();
    emulator = await startSlackEmulator({
      now: () => now,
      rateLimits: { "chat.postMessage": { requests: 1, windowMs: 120_000 } },
    });
    const target = notifier();
    await target.notify({ kind: "drift", run, items: [mallory] }, { threads: {} });

    const second = await target.notify({ kind: "drift", run, items: [mallory] }, { threads: {} });

    expect(second).toEqual({ delivered: false, error: "Slack rate-limited the call (Retry-After: 120 s)" });
    expect(waits).toEqual([]);
  });

  it("posts a stopped plan with its removals and Approve / Reject buttons carrying the plan digest", async () => {
    const digest = "rm1-0123456789abcdefghijklmnopqrstuv";
    const threads = await send(notifier({ approvals: true }), [
      {
        kind: "blocked",
        run,
        violations: [
          { guard: "maxDeletions", message: "The plan would remove 1 object.", removals: 1, limit: 0 },
        ],
        plan: { add: 0, change: 0, remove: 1, byKind: {} as never },
        failedRuns: 1,
        approval: {
          digest,
          removals: [{ key: mallory.key, summary: mallory.summary, reason: mallory.reason }],
        },
      },
    ]);

    const [message] = emulator.messages(alerts);
    const actions = message!.blocks!.find((block) => (block as { type: string }).type === "actions") as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((element) => [element.action_id, element.value])).toEqual([
      ["idc-sync.approve", digest],
      ["idc-sync.reject", digest],
    ]);
    expect(JSON.stringify(message!.blocks)).toContain("mallory@example.com");
    expect(threads[`approval:${digest}`]?.ts).toBe(message!.ts);
  });
});
