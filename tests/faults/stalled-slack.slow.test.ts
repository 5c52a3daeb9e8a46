/**
 * Fault suite, slow part (`npm run test:faults`): the real `idc-sync apply` process with its Slack
 * webhook stalling after the headers. The run fails on its read, tries to alert (three tries of 5 s
 * each, 1 s and 2 s apart), saves its state, and exits; it does not hang.
 */
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackNotifier } from "../../src/adapters/slack/slack-notifier.js";
import { FileStateStore } from "../../src/adapters/state/file-state-store.js";
import type { Notice } from "../../src/sync/notices.js";
import { examples, idcSyncProcess } from "../cli/cli-harness.js";
import { startWebhookSink, type WebhookSink } from "../emulators/slack/webhook-sink.js";

const aNotice: Notice = {
  kind: "recovered",
  run: { runId: "run-1", trigger: "cli", mode: "enforce", at: "2026-05-04T09:00:00.000Z" },
  failingSince: "2026-05-04T08:00:00.000Z",
  failedRuns: 1,
};

let sink: WebhookSink;
beforeAll(async () => {
  sink = await startWebhookSink();
  sink.behave({ answer: "stallAfterHeaders" });
});
afterAll(async () => {
  await sink.close();
});

describe("the Slack notifier against a webhook that stalls after its headers", () => {
  it("gives up on every try at its 1-second deadline, fifteen times in a row", async () => {
    // With @slack/webhook's own timeout (AbortSignal.timeout and redirect: "error" on Node 20's fetch),
    // the seventh or eighth such try in a row never ended.
    const notifier = new SlackNotifier({ webhookUrl: sink.url, timeoutMs: 1_000, attempts: 1 });
    for (let round = 0; round < 15; round += 1) {
      expect(await notifier.notify(aNotice)).toEqual({
        delivered: false,
        error: "Slack could not be reached: timed out",
      });
    }
  }, 60_000);
});

describe("idc-sync apply with a Slack webhook that stalls after its headers", () => {
  it("exits with the run's own exit code, its state saved, every time", async () => {
    for (let round = 0; round < 3; round += 1) {
      const dir = await mkdtemp(join(tmpdir(), "idc-sync-stall-"));
      try {
        const target = join(dir, "ic.json");
        await copyFile(examples("identity-center.json"), target);
        const started = performance.now();
        const run = await idcSyncProcess(
          [
            "apply",
            "--yes",
            "--rules",
            examples("rules.yaml"),
            "--source",
            `file:${join(dir, "missing-directory.yaml")}`,
            "--accounts",
            `file:${examples("directory.yaml")}`,
            "--target",
            `file:${target}`,
          ],
          { SLACK_WEBHOOK_URL: sink.url },
        );

        expect(run.exitCode).toBe(64);
        expect(run.stderr).toContain("cannot read directory snapshot");
        // Three tries of at most 5 s and 3 s of waits between them: the documented bound, with room.
        expect(performance.now() - started).toBeLessThan(40_000);
        const saved = await new FileStateStore(join(dir, "ic.state.json")).load();
        expect(saved.state?.health).toMatchObject({ status: "failing", failedRuns: 1 });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }, 150_000);
});
