/**
 * Fault suite, alerts: a Slack webhook that sends its headers and then stalls, a 429 with Retry-After,
 * the run state saved before anything is sent, and undone drift whose alert got lost. The sync runs
 * through `runMonitoredRun` with the file adapters and a real HTTP webhook sink.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FileDirectorySource } from "../../src/adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../../src/adapters/file/file-identity-center.js";
import { loadRules } from "../../src/adapters/file/rules-file.js";
import { SlackNotifier } from "../../src/adapters/slack/slack-notifier.js";
import { FileStateStore } from "../../src/adapters/state/file-state-store.js";
import { runMonitoredRun } from "../../src/app/monitored-run.js";
import type { Rules } from "../../src/mapping/index.js";
import { defaultNotificationSettings } from "../../src/notify/decide.js";
import type { Notice } from "../../src/sync/notices.js";
import type { Notifier } from "../../src/sync/ports.js";
import { examples } from "../cli/cli-harness.js";
import { startWebhookSink, type WebhookSink } from "../emulators/slack/webhook-sink.js";
import { testClock } from "./test-clock.js";

const aNotice: Notice = {
  kind: "recovered",
  run: { runId: "run-1", trigger: "cli", mode: "enforce", at: "2026-05-04T09:00:00.000Z" },
  failingSince: "2026-05-04T08:00:00.000Z",
  failedRuns: 1,
};

let sink: WebhookSink;
beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(async () => {
  await sink.close();
});

describe("a Slack webhook that sends its headers and then stalls", () => {
  beforeEach(() => sink.behave({ answer: "stallAfterHeaders" }));
  afterEach(() => sink.behave({ answer: "ok" }));

  it("costs each try its deadline, time after time, and never holds the run", async () => {
    const notifier = new SlackNotifier({ webhookUrl: sink.url, timeoutMs: 150, attempts: 1 });

    // Undici's fetch with redirect: "error" used to miss the abort after a few such answers in a row.
    for (let round = 0; round < 15; round += 1) {
      const delivery = await notifier.notify(aNotice);
      expect(delivery).toEqual({ delivered: false, error: "Slack could not be reached: timed out" });
    }
  });
});

describe("a Slack 429 with Retry-After", () => {
  afterEach(() => sink.behave({ answer: "ok" }));

  it("waits as long as Slack asks when that fits the window", async () => {
    const clock = testClock();
    sink.behave({ answer: "status", status: 429, retryAfterSeconds: 7 });
    const notifier = new SlackNotifier({ webhookUrl: sink.url, sleep: clock.sleep, now: clock.now });

    const delivery = await notifier.notify(aNotice);

    expect(delivery.delivered).toBe(false);
    expect(clock.sleeps).toEqual([7_000, 7_000]);
  });

  it("does not wait past the window: a 60-second Retry-After ends the tries", async () => {
    const clock = testClock();
    sink.behave({ answer: "status", status: 429, retryAfterSeconds: 60 });
    const notifier = new SlackNotifier({ webhookUrl: sink.url, sleep: clock.sleep, now: clock.now });

    const delivery = await notifier.notify(aNotice);

    expect(delivery).toEqual({
      delivered: false,
      error: "Slack answered 429 Too Many Requests: rate_limited (Retry-After: 60 s)",
    });
    expect(clock.sleeps).toEqual([]);
  });
});

describe("the run state and the alerts of an apply", () => {
  let dir: string;
  let rules: Rules;
  let target: string;
  let store: FileStateStore;
  let now: Date;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "idc-sync-alerts-"));
    target = join(dir, "ic.json");
    await copyFile(examples("identity-center.json"), target);
    store = new FileStateStore(join(dir, "state.json"));
    const loaded = await loadRules(examples("rules.yaml"));
    if (!loaded.ok) throw new Error("the example rules do not load");
    rules = loaded.rules;
    now = new Date("2026-05-04T09:00:00.000Z");
    sink.messages.length = 0;
    sink.behave({ answer: "ok" });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const apply = async (notifier: Notifier | undefined) => {
    now = new Date(now.getTime() + 15 * 60_000);
    const source = new FileDirectorySource(examples("directory.yaml"));
    return runMonitoredRun({
      rules,
      ports: { directory: source, accounts: source, identityCenter: await FileIdentityCenter.open(target) },
      mode: "enforce",
      run: { runId: `run-${now.toISOString()}`, trigger: "cli" },
      clock: { now: () => now },
      stateStore: store,
      ...(notifier ? { notifier } : {}),
      settings: defaultNotificationSettings,
    });
  };
  const slack = () => new SlackNotifier({ webhookUrl: sink.url, sleep: async () => {}, timeoutMs: 500 });
  /** A membership added by hand in the target, as someone in the console would. */
  const handMadeMembership = async () => {
    const identityCenter = await FileIdentityCenter.open(target);
    await identityCenter.applyChange({
      kind: "addMember",
      key: "member:aws-admins:haruto.ito@example.com",
      reason: "by hand",
      groupName: "aws-admins",
      userName: "haruto.ito@example.com",
    });
  };

  it("saves the run state before the first alert is sent", async () => {
    await apply(undefined);
    const before = (await store.load()).revision;
    const seenAtSend: (string | undefined)[] = [];
    const watching: Notifier = {
      notify: async () => {
        seenAtSend.push((await store.load()).revision);
        return { delivered: true };
      },
    };
    await handMadeMembership();

    const run = await apply(watching);

    expect(run.notices.map((entry) => entry.notice.kind)).toEqual(["drift"]);
    expect(seenAtSend).toHaveLength(1);
    expect(Number(seenAtSend[0])).toBeGreaterThan(Number(before));
  });

  it("keeps what a run learned when it dies while Slack hangs, and alerts again next run", async () => {
    await apply(undefined);
    await handMadeMembership();
    // The run "dies" inside its first alert: the notifier never answers. Wait for that moment itself, not a
    // fixed delay, which a loaded machine overruns.
    let slackReached: () => void = () => {};
    const reachedSlack = new Promise<void>((resolve) => {
      slackReached = resolve;
    });
    const dying: Notifier = {
      notify: () => {
        slackReached();
        return new Promise(() => {});
      },
    };

    const killed = apply(dying);
    await reachedSlack;

    expect((await store.load()).state?.pendingDriftAlerts?.map((item) => item.key)).toEqual([
      "member:aws-admins:haruto.ito@example.com",
    ]);
    void killed;
    const next = await apply(slack());
    expect(next.notices.map((entry) => [entry.notice.kind, entry.delivered])).toEqual([["drift", true]]);
  });

  it("delivers next run, once, the alert about drift it undid when Slack was down", async () => {
    await apply(slack());
    await handMadeMembership();

    sink.behave({ answer: "status", status: 503 });
    const undone = await apply(slack());
    expect(undone.result.status).toBe("applied");
    expect(undone.notices.map((entry) => [entry.notice.kind, entry.delivered])).toEqual([["drift", false]]);

    sink.behave({ answer: "ok" });
    const next = await apply(slack());
    expect(next.notices.map((entry) => [entry.notice.kind, entry.delivered])).toEqual([["drift", true]]);
    expect(sink.messages).toHaveLength(1);
    const text = sink.textOf(sink.messages[0]!);
    expect(text).toContain("membership aws-admins");
    expect(text).toContain("haruto.ito@example.com");
    expect(text).toMatch(/undid it|undone/);

    const after = await apply(slack());
    expect(after.notices).toEqual([]);
    expect((await store.load()).state?.pendingDriftAlerts).toBeUndefined();
  });
});
