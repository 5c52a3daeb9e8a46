import { describe, expect, it } from "vitest";
import { slackMessageFor } from "../../../src/notify/slack-message.js";
import type { DriftItem, NoticeRun } from "../../../src/sync/notices.js";

const run: NoticeRun = {
  runId: "run-7",
  trigger: "schedule",
  mode: "report",
  at: "2026-05-04T09:00:00.000Z",
};
const item = (n: number): DriftItem => ({
  key: `member:developers:user${n}@example.com`,
  kind: "removeMember",
  summary: `- membership developers ← user${n}@example.com`,
  reason: "no longer matched by the rules for developers",
  firstSeenAt: run.at,
  status: "open",
});
const text = (message: ReturnType<typeof slackMessageFor>) => JSON.stringify(message.blocks);

describe("Slack messages", () => {
  it("list at most ten changes, then say how many more there are", () => {
    const message = slackMessageFor({
      kind: "drift",
      run,
      items: Array.from({ length: 13 }, (_, n) => item(n)),
    });
    expect(text(message)).toContain("user9@example.com");
    expect(text(message)).not.toContain("user10@example.com");
    expect(text(message)).toContain("… and 3 more");
    expect(message.text).toContain("run-7");
  });

  it("escape Slack's control characters in names and reasons", () => {
    const message = slackMessageFor({ kind: "drift", run, items: [{ ...item(1), reason: "a <b> & c" }] });
    expect(text(message)).toContain("a &lt;b&gt; &amp; c");
  });

  it("tell how to let a deletion-guard stop through, and that an empty directory cannot be", () => {
    const plan = { add: 0, change: 0, remove: 12, byKind: {} as never };
    const guard = slackMessageFor({
      kind: "blocked",
      run,
      plan,
      failedRuns: 1,
      violations: [
        { guard: "maxDeletions", removals: 12, limit: 5, message: "The plan would remove 12 objects." },
      ],
    });
    expect(text(guard)).toContain("idc-sync apply --allow-deletions 12");
    const empty = slackMessageFor({
      kind: "blocked",
      run,
      plan,
      failedRuns: 1,
      violations: [{ guard: "emptyDirectory", removals: 12, message: "The directory returned no users." }],
    });
    expect(text(empty)).not.toContain("--allow-deletions");
    expect(text(empty)).toContain("never trusted");
  });
});
