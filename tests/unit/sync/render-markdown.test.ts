import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Change, Plan } from "../../../src/sync/model.js";
import { permissionSetDiff } from "../../../src/sync/permission-set-diff.js";
import {
  githubCommentLimit,
  planCommentMarker,
  renderPlanMarkdown,
  utf8Length,
} from "../../../src/sync/render-markdown.js";
import { anAssignment, anEmptyPlan } from "../../builders/model.js";

const member = (index: number, kind: "addMember" | "removeMember" = "addMember"): Change => ({
  kind,
  key: `member:developers:person${index}@example.com`,
  reason: "orgUnit /Engineering",
  cause: "joiner",
  groupName: "developers",
  userName: `person${index}@example.com`,
});
const assignment = (index: number): Change => {
  const accountId = String(100000000000 + index);
  return {
    kind: "createAssignment",
    key: `assignment:GROUP:developers:Developer:${accountId}`,
    reason: "assignments[0]: developers × Developer × all",
    assignment: anAssignment({ accountId }),
  };
};
const policy = (actions: string[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: actions, Resource: "*" }] });
const developer = {
  name: "Developer",
  sessionDuration: "PT8H",
  managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
  customerManagedPolicies: [],
  tags: {},
};
const policyChange = (from: string, to: string): Change => ({
  kind: "updatePermissionSet",
  key: "permissionSet:Developer",
  reason: "changed in the rules: inlinePolicy",
  cause: "rules",
  permissionSet: { ...developer, inlinePolicy: to },
  diff: permissionSetDiff({ ...developer, inlinePolicy: from }, { ...developer, inlinePolicy: to }),
  fields: [{ field: "inlinePolicy", from, to }],
});

/** The section of the markdown titled `title`, from its <details> to its </details>. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`<summary><b>${title}</b>`);
  if (start === -1) throw new Error(`no section ${title}`);
  return markdown.slice(start, markdown.indexOf("</details>", start));
}

describe("renderPlanMarkdown", () => {
  const plan: Plan = anEmptyPlan({
    changes: [
      policyChange(policy(["iam:CreateUser"]), policy(["iam:CreateRole"])),
      member(1),
      member(2, "removeMember"),
      assignment(11111111111),
    ],
    notes: [
      {
        kind: "protected",
        name: "breakglass@example.com",
        detail: "protected by safety.protect; left alone",
      },
    ],
    accountNames: { "111111111111": "core-dev" },
  });

  it("starts with the hidden marker, then the summary line and the guard verdict", () => {
    const markdown = renderPlanMarkdown(plan, { guard: { ok: true } });
    expect(markdown.startsWith(`${planCommentMarker}\n`)).toBe(true);
    expect(markdown).toContain("**Plan: 2 to add, 1 to change, 1 to remove.**");
    expect(markdown).toContain(
      "✅ **Safety guards:** an apply would go ahead (1 removal, within `safety.maxDeletions`).",
    );
  });

  it("quotes the guard that would stop an apply", () => {
    const markdown = renderPlanMarkdown(plan, {
      guard: {
        ok: false,
        violations: [
          {
            guard: "maxDeletions",
            removals: 1,
            limit: 0,
            message: "The plan would remove 1 object (1 membership); safety.maxDeletions allows 0.",
          },
        ],
      },
    });
    expect(markdown).toContain("⛔ **Safety guards:** an apply would stop here, before changing anything.");
    expect(markdown).toContain(
      "> The plan would remove 1 object (1 membership); safety.maxDeletions allows 0.",
    );
  });

  it("folds each kind of object into a section with its counts, and puts policy diffs in diff blocks", () => {
    const markdown = renderPlanMarkdown(plan);
    expect(section(markdown, "Permission sets")).toContain(
      [
        "inlinePolicy:",
        "",
        "```diff",
        " {",
        '   "Statement": [',
        "     {",
        '       "Action": [',
        '-        "iam:CreateUser"',
        '+        "iam:CreateRole"',
        "       ],",
      ].join("\n"),
    );
    expect(section(markdown, "Group memberships")).toContain(
      [
        "Group memberships</b>: 1 to add, 1 to remove</summary>",
        "",
        "```diff",
        "+ developers ← person1@example.com  # orgUnit /Engineering  [joiner]",
        "- developers ← person2@example.com  # orgUnit /Engineering  [joiner]",
        "```",
      ].join("\n"),
    );
    expect(section(markdown, "Account assignments")).toContain(
      "+ group developers × Developer × core-dev (111111111111)  # assignments[0]",
    );
    expect(section(markdown, "Left alone (outside scope or protected)")).toContain(
      "- `breakglass@example.com`: protected by safety.protect; left alone",
    );
  });

  it("says there are no changes when there are none", () => {
    expect(renderPlanMarkdown(anEmptyPlan())).toBe(
      `${planCommentMarker}\n\n### idc-sync plan\n\n**No changes. Identity Center matches the rules.**\n`,
    );
  });

  it("keeps text from the rules literal: no HTML, no emphasis, no broken code fence", () => {
    const markdown = renderPlanMarkdown(
      anEmptyPlan({
        changes: [
          policyChange(policy(["s3:GetObject"]), policy(["s3:GetObject", "```"])),
          { ...member(1), reason: "where title=<script>alert(1)</script> *boss*" },
        ],
        notes: [{ kind: "protected", name: "a`b", detail: "<img src=x> _left_ alone" }],
      }),
      { warnings: ["rules.yaml:1:1: group '<b>x</b>' matches nobody"] },
    );
    const outsideCode = markdown.replace(/^(`{3,})[a-z]*\n[\s\S]*?\n\1$/gm, "");
    expect(outsideCode).not.toMatch(/(?<!\\)<(script|img|b>x)/);
    expect(outsideCode).toContain("group '\\<b\\>x\\</b\\>' matches nobody");
    expect(markdown).toContain("- ``a`b``: \\<img src=x\\> \\_left\\_ alone");
    expect(markdown).toContain("````diff");
    // Inside a code block the reason needs no escaping: it is shown as it is, as code.
    expect(markdown).toContain("# where title=<script>alert(1)</script> *boss*");
    expect(markdown.split("```diff\n+ developers")).toHaveLength(2);
  });

  it("fits a plan of 50,000 memberships into one comment, shows some of every section, and counts what it left out", () => {
    const changes = [
      policyChange(policy(["iam:CreateUser"]), policy(["iam:CreateRole"])),
      ...Array.from({ length: 50_000 }, (_, index) => member(index)),
      ...Array.from({ length: 3_000 }, (_, index) => assignment(index)),
    ];
    const markdown = renderPlanMarkdown(anEmptyPlan({ changes }));

    expect(utf8Length(markdown)).toBeLessThanOrEqual(githubCommentLimit);
    expect(markdown).toContain("**Plan: 53000 to add, 1 to change, 0 to remove.**");
    expect(section(markdown, "Permission sets")).toContain('+        "iam:CreateRole"');
    for (const [title, total] of [
      ["Group memberships", 50_000],
      ["Account assignments", 3_000],
    ] as const) {
      const text = section(markdown, title);
      const shown = text.split("\n").filter((line) => line.startsWith("+ ")).length;
      expect(shown).toBeGreaterThan(100);
      expect(text).toContain(`**… and ${total - shown} more changes not shown here**`);
    }
  });

  it("never passes the limit, and what it shows plus what it says it left out is the whole plan", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 2_500, max: 30_000 }),
        (members, assignments, maxBytes) => {
          const changes = [
            ...Array.from({ length: members }, (_, index) => member(index)),
            ...Array.from({ length: assignments }, (_, index) => assignment(index)),
          ];
          const markdown = renderPlanMarkdown(anEmptyPlan({ changes }), { maxBytes });
          expect(utf8Length(markdown)).toBeLessThanOrEqual(maxBytes);
          for (const [title, total] of [
            ["Group memberships", members],
            ["Account assignments", assignments],
          ] as const) {
            if (total === 0) continue;
            const text = section(markdown, title);
            const shown = text.split("\n").filter((line) => line.startsWith("+ ")).length;
            const left = Number(/\*\*… and (\d+) more/.exec(text)?.[1] ?? 0);
            expect(shown + left).toBe(total);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("cuts one enormous policy diff and says how many lines it left out", () => {
    const many = (prefix: string) => Array.from({ length: 1_000 }, (_, index) => `${prefix}:Action${index}`);
    const markdown = renderPlanMarkdown(
      anEmptyPlan({ changes: [policyChange(policy(many("s3")), policy(many("ec2")))] }),
    );
    expect(utf8Length(markdown)).toBeLessThan(20_000);
    expect(markdown).toMatch(/… \d+ more lines not shown/);
  });
});

describe("utf8Length", () => {
  it("counts the bytes of UTF-8, which is what bounds any way of counting characters", () => {
    expect(utf8Length("a→ü😀")).toBe(Buffer.byteLength("a→ü😀"));
  });
});
