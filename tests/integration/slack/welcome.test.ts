/**
 * Welcome and farewell messages in the emulators: a person given AWS access by an apply gets a direct
 * message (users.lookupByEmail, conversations.open, chat.postMessage) with their accounts, permission sets
 * and the portal URL; a leaver is announced in the farewell channel; nothing is sent in report mode.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileDirectorySource } from "../../../src/adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../../../src/adapters/file/file-identity-center.js";
import { loadRules } from "../../../src/adapters/file/rules-file.js";
import { FileStateStore } from "../../../src/adapters/state/file-state-store.js";
import { runMonitoredRun } from "../../../src/app/monitored-run.js";
import { greetingsHookFor } from "../../../src/app/slack-app-wiring.js";
import type { Rules } from "../../../src/mapping/index.js";
import { defaultNotificationSettings } from "../../../src/notify/decide.js";
import { renderTemplate } from "../../../src/notify/welcome-message.js";
import type { SyncMode } from "../../../src/sync/run-state.js";
import { examples } from "../../cli/cli-harness.js";
import { type SlackEmulator, startSlackEmulator } from "../../emulators/slack/web-api.js";

const portalUrl = "https://d-0123456789.awsapps.com/start";
let dir: string;
let target: string;
let rules: Rules;
let slack: SlackEmulator;
let now: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "idc-sync-welcome-"));
  target = join(dir, "ic.json");
  await copyFile(examples("identity-center.json"), target);
  const loaded = await loadRules(examples("rules.yaml"));
  if (!loaded.ok) throw new Error("the example rules do not load");
  rules = {
    ...loaded.rules,
    notifications: {
      slack: {
        ...loaded.rules.notifications.slack,
        channel: "C0ALERTS01",
        welcome: { portalUrl, emailOtp: false },
        farewell: { channel: "C0OFFBOARD" },
      },
    },
  };
  now = Date.parse("2026-05-04T09:00:00.000Z");
  slack = await startSlackEmulator({
    now: () => now,
    rateLimits: "off",
    channels: [
      { id: "C0ALERTS01", name: "idc-sync-alerts" },
      { id: "C0OFFBOARD", name: "it-offboarding" },
    ],
    users: [
      { id: "U0KENJI001", name: "kenji", email: "Kenji.Watanabe@example.com", realName: "Kenji Watanabe" },
    ],
  });
});
afterEach(async () => {
  await slack.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(mode: SyncMode, rulesPath = examples("rules.yaml")) {
  now += 15 * 60_000;
  const source = new FileDirectorySource(examples("directory.yaml"));
  const hook = await greetingsHookFor(slack.token, rules, rulesPath, {
    slackApiUrl: slack.slackApiUrl,
    sleep: async () => {},
  });
  return runMonitoredRun({
    rules,
    ports: { directory: source, accounts: source, identityCenter: await FileIdentityCenter.open(target) },
    mode,
    run: { runId: `run-${now}`, trigger: "cli" },
    clock: { now: () => new Date(now) },
    stateStore: new FileStateStore(join(dir, "state.json")),
    ...(hook ? { afterApply: hook } : {}),
    settings: defaultNotificationSettings,
  });
}

describe("welcome messages", () => {
  it("sends a person just given access a direct message with their accounts, permission sets and the portal", async () => {
    const applied = await run("enforce");

    const dm = slack.directMessageChannel("U0KENJI001");
    expect(dm).toBeDefined();
    const [message] = slack.messages(dm!);
    expect(message!.text).toContain("Hello Kenji");
    expect(message!.text).toContain(portalUrl);
    expect(message!.text).toContain("Admin");
    expect(message!.text).toContain("ask an AWS administrator for a one-time password");
    expect(slack.calls("users.lookupByEmail").total).toBeGreaterThan(1);
    // People not in Slack are warnings, not failures.
    expect(applied.result.status).toBe("applied");
    expect(applied.warnings.some((warning) => /no welcome message for .*users_not_found/.test(warning))).toBe(
      true,
    );
  });

  it("sends nothing in report mode", async () => {
    await run("report");

    expect(slack.calls("users.lookupByEmail").total).toBe(0);
    expect(slack.calls("chat.postMessage").total).toBe(0);
  });

  it("escapes values for Slack mrkdwn, not HTML", () => {
    expect(
      renderTemplate("{{name}} / {{email}}", {
        name: "<b>Tom & Jerry</b>",
        email: "o'neil@example.com",
      } as never),
    ).toBe("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt; / o'neil@example.com");
  });

  it("uses the rules repository's own template", async () => {
    const rulesPath = join(dir, "rules.yaml");
    await writeFile(
      join(dir, "welcome.mustache"),
      "Hi {{name}} ({{email}}): {{#accounts}}[{{account}}]{{/accounts}} {{portalUrl}}\n",
    );
    rules = {
      ...rules,
      notifications: {
        slack: {
          ...rules.notifications.slack,
          welcome: { template: "welcome.mustache", portalUrl, emailOtp: true },
        },
      },
    };

    await run("enforce", rulesPath);

    const [message] = slack.messages(slack.directMessageChannel("U0KENJI001")!);
    expect(message!.text).toMatch(
      /^Hi Kenji \(kenji\.watanabe@example\.com\): \[.+\] https:\/\/d-0123456789/,
    );
  });

  it("refuses a template that does not parse before anything changes, naming the setting", async () => {
    await writeFile(join(dir, "broken.mustache"), "Hi {{#name}} no end\n");
    rules = {
      ...rules,
      notifications: {
        slack: {
          ...rules.notifications.slack,
          welcome: { template: "broken.mustache", portalUrl, emailOtp: false },
        },
      },
    };

    await expect(run("enforce", join(dir, "rules.yaml"))).rejects.toThrow(
      /notifications\.slack\.welcome\.template: .*broken\.mustache/,
    );
  });
});

describe("farewell notices", () => {
  it("tells the farewell channel whose access was removed", async () => {
    await run("enforce");
    // Excluding kenji in the rules makes him a leaver: his memberships and his user go.
    rules = {
      ...rules,
      users: { ...rules.users, exclude: [...rules.users.exclude, "kenji.watanabe@example.com"] },
    };

    const after = await run("enforce");

    expect(after.result.status).toBe("applied");
    const notices = slack.messages("C0OFFBOARD").map((message) => message.text ?? "");
    expect(notices.some((text) => text.includes("kenji.watanabe@example.com"))).toBe(true);
  });
});
