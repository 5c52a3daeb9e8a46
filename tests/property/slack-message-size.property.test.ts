import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockTextLength, slackAppMessageFor } from "../../src/notify/slack-app-message.js";
import { fitList, type ListEntry, slackLimits } from "../../src/notify/slack-limits.js";
import type { DriftItem, Notice, NoticeRun } from "../../src/sync/notices.js";
import { blockProblems, messageLimits } from "../emulators/slack/web-api.js";

const run: NoticeRun = {
  runId: "run-1",
  trigger: "schedule",
  mode: "report",
  at: "2026-03-02T09:00:00.000Z",
};

/** Any text: long or short, with the characters mrkdwn escapes and astral code points. */
const anyText = fc.string({
  unit: fc.constantFrom("a", "é", "<", "&", "`", " ", "😀", "\n"),
  maxLength: 4_000,
  size: "max",
});
const groupNames = fc.constantFrom("aws-admins", "developers", "support", "x".repeat(300));

/**
 * Up to 1,500 drift items with distinct keys (a plan never holds one key twice), built from a few
 * generated texts so that long lists of long lines are as likely as short ones.
 */
const driftItems = fc
  .record({
    count: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 1_500 })),
    users: fc.array(anyText, { minLength: 1, maxLength: 4 }),
    reasons: fc.array(anyText, { minLength: 1, maxLength: 3 }),
    groups: fc.array(groupNames, { minLength: 1, maxLength: 3 }),
    reverted: fc.boolean(),
  })
  .map(({ count, users, reasons, groups, reverted }) =>
    Array.from({ length: count }, (_, index): DriftItem => {
      const group = groups[index % groups.length]!;
      const user = users[index % users.length]!;
      return {
        key: `member:${group}:${user}#${index}`,
        kind: "removeMember",
        summary: `- membership ${group} ← ${user}`,
        reason: reasons[index % reasons.length]!,
        firstSeenAt: run.at,
        status: reverted ? "reverted" : "open",
      };
    }),
  );

/** The number in the "… and N more …" line, or undefined. */
function moreCount(blocks: Record<string, unknown>[]): number | undefined {
  const texts = blocks.map((block) => (block.text as { text?: string } | undefined)?.text ?? "");
  const line = texts
    .flatMap((text) => text.split("\n"))
    .find((candidate) => /^… and \d+ more (change|removal)s?$/.test(candidate));
  return line === undefined ? undefined : Number(/\d+/.exec(line)?.[0]);
}

function expectWithinSlackLimits(message: { text: string; blocks: Record<string, unknown>[] }): void {
  expect(blockProblems(message.blocks)).toEqual([]);
  expect([...message.text].length).toBeLessThanOrEqual(messageLimits.textCharacters);
  const blockText = message.blocks.reduce((sum, block) => sum + blockTextLength(block), 0);
  expect(blockText).toBeLessThanOrEqual(slackLimits.blockTextBudget);
}

describe("Slack app messages stay within Slack's limits, whatever they list", () => {
  it("packs any list into sections within limits, and says exactly how many were left out", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ text: anyText, items: fc.integer({ min: 1, max: 500 }) }), {
          maxLength: 600,
          size: "medium",
        }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 200, max: 12_000 }),
        (entries: ListEntry[], maxSections, budget) => {
          const fitted = fitList(entries, { maxSections, budget, noun: ["change", "changes"] });
          const total = entries.reduce((sum, entry) => sum + entry.items, 0);

          expect(fitted.shown + fitted.more).toBe(total);
          expect(fitted.sections.length).toBeLessThanOrEqual(maxSections);
          for (const text of fitted.sections)
            expect(text.length).toBeLessThanOrEqual(slackLimits.sectionText);
          // The budget is of block text, as Slack counts it: the sections' texts summed (no separators).
          expect(fitted.sections.reduce((sum, text) => sum + text.length, 0)).toBeLessThanOrEqual(budget);
          const last = fitted.sections.at(-1)?.split("\n").at(-1);
          if (fitted.more > 0)
            expect(last).toBe(`… and ${fitted.more} more ${fitted.more === 1 ? "change" : "changes"}`);
          else expect(last ?? "").not.toMatch(/^… and \d+ more/);
        },
      ),
      { numRuns: 200, endOnFailure: true },
    );
  });

  it("keeps any drift alert, reminder and resolution within the limits, with an intact 'and N more'", () => {
    fc.assert(
      fc.property(driftItems, fc.constantFrom("drift", "driftReminder", "driftResolved"), (items, kind) => {
        const notice =
          kind === "driftResolved"
            ? ({
                kind,
                run,
                items: items.map((item) => ({ ...item, resolvedBy: "elsewhere" as const })),
              } as Notice)
            : ({ kind, run, items } as Notice);
        const message = slackAppMessageFor(notice, { approvals: true });

        expectWithinSlackLimits(message);
        const more = moreCount(message.blocks);
        if (more !== undefined) expect(more).toBeGreaterThan(0);
        expect(more ?? 0).toBeLessThanOrEqual(items.length);
      }),
      { numRuns: 50, endOnFailure: true },
    );
  });

  it("keeps a stopped plan with any removals within the limits, its buttons and its 'and N more' intact", () => {
    fc.assert(
      fc.property(driftItems, (items) => {
        const notice: Notice = {
          kind: "blocked",
          run,
          violations: [
            {
              guard: "maxDeletions",
              message: "The plan would remove many objects.",
              removals: items.length,
              limit: 5,
            },
          ],
          plan: { add: 0, change: 0, remove: items.length, byKind: {} as never },
          failedRuns: 1,
          approval: {
            digest: "rm1-abcdefghijklmnopqrstuvwxyz012345",
            removals: items.map((item) => ({ key: item.key, summary: item.summary, reason: item.reason })),
          },
        };
        const message = slackAppMessageFor(notice, { approvals: true });

        expectWithinSlackLimits(message);
        const actions = message.blocks.find((block) => block.type === "actions") as {
          elements: { value: string }[];
        };
        expect(actions.elements.map((element) => element.value)).toEqual([
          "rm1-abcdefghijklmnopqrstuvwxyz012345",
          "rm1-abcdefghijklmnopqrstuvwxyz012345",
        ]);
        expect(message.blocks.at(-1)?.type).toBe("context");
        expect(moreCount(message.blocks) ?? 0).toBeLessThanOrEqual(items.length);
      }),
      { numRuns: 30, endOnFailure: true },
    );
  });
});

describe("large drift is grouped", () => {
  it("says '480 memberships in aws-admins' and lists the first few", () => {
    const items: DriftItem[] = Array.from({ length: 480 }, (_, index) => ({
      key: `member:aws-admins:user${index}@example.com`,
      kind: "removeMember",
      summary: `- membership aws-admins ← user${index}@example.com`,
      reason: "not a member of aws-admins@example.com in Google",
      firstSeenAt: run.at,
      status: "open",
    }));
    const message = slackAppMessageFor({ kind: "drift", run, items }, { approvals: false });
    const text = message.blocks
      .map((block) => (block.text as { text?: string } | undefined)?.text ?? "")
      .join("\n");

    expect(text).toContain("*- 480 memberships in aws-admins*");
    expect(text).toContain("user0@example.com");
    expect(text).toContain("user2@example.com");
    expect(text).not.toContain("user3@example.com");
    expect(text).toContain("… and 477 more in this group");
    expect(moreCount(message.blocks)).toBeUndefined();
  });
});
