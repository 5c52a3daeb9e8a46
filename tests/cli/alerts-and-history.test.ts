import { readFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookSink, type WebhookSink } from "../emulators/slack/webhook-sink.js";
import { aTemporaryIdentityCenter, idcSync } from "./cli-harness.js";

const rules = ["--rules", "examples/rules.yaml"];
const today = ["--source", "file:examples/directory.yaml"];
let sink: WebhookSink;

beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(async () => {
  await sink.close();
});

describe("idc-sync apply with run state, Slack and history", () => {
  it("reports a membership added by hand to Slack in report mode, changes nothing, and lists the runs", async () => {
    const state = await aTemporaryIdentityCenter();
    const target = ["--target", `file:${state}`];
    const env = { SLACK_WEBHOOK_URL: sink.url };
    expect((await idcSync(["apply", ...rules, ...today, ...target, "--yes"], { env })).exitCode).toBe(0);
    expect(sink.messages).toEqual([]);

    const picture = JSON.parse(await readFile(state, "utf8")) as {
      groups: { displayName: string; members?: string[] }[];
    };
    picture.groups
      .find((group) => group.displayName === "aws-admins")
      ?.members?.push("haruto.ito@example.com");
    await writeFile(state, JSON.stringify(picture));

    const reported = await idcSync(["apply", ...rules, ...today, ...target, "--mode", "report"], { env });

    expect(reported.exitCode).toBe(0);
    expect(reported.stdout).toContain("aws-admins ← haruto.ito@example.com");
    expect(reported.stdout).toContain("[drift: changed outside idc-sync]");
    expect(reported.stdout).toContain("Report mode: nothing was changed.");
    expect(await readFile(state, "utf8")).toContain("haruto.ito@example.com");
    expect(sink.messages).toHaveLength(1);
    expect(sink.textOf(sink.messages[0]!)).toContain("aws-admins ← haruto.ito@example.com");

    const history = await idcSync(["history", ...rules, ...target]);
    expect(history.exitCode).toBe(0);
    const lines = history.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/reported\s+report\s+cli\s+\+0 ~0 -1\s+drift 1/);
    expect(lines[1]).toMatch(/applied\s+enforce\s+cli/);
  });
});
