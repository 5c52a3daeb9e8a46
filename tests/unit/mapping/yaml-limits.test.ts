import { describe, expect, it } from "vitest";
import { formatRuleIssue } from "../../../src/mapping/index.js";
import { yamlLimits } from "../../../src/mapping/yaml-limits.js";
import { loadRulesText } from "../../builders/rules.js";

/** The formatted issues of rules text that must not load; a throw fails the test with its stack. */
function issuesOf(text: string): string[] {
  const result = loadRulesText(text);
  if (result.ok) throw new Error("expected the rules not to load");
  return result.issues.map(formatRuleIssue);
}

const lines = (...text: string[]) => `${text.join("\n")}\n`;
const header = ["version: 1", "google: { domains: [example.com] }"];

/** Ten levels of ten aliases each: 10^10 nodes once expanded ("billion laughs"). */
function billionLaughs(): string {
  const levels = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
  for (let level = 1; level < 10; level++) {
    const previous = `*lol${level - 1}`;
    levels.push(`lol${level}: &lol${level} [${Array(10).fill(previous).join(", ")}]`);
  }
  return lines(...header, "x-bomb:", ...levels.map((line) => `  ${line}`));
}

describe("YAML aliases in the rules file", () => {
  it("reports an alias with no anchor at the alias, as a rules error", () => {
    expect(issuesOf(lines(...header, "groups: *everyone"))).toEqual([
      "rules.yaml:3:9: unknown alias '*everyone': no anchor '&everyone' is defined before it",
    ]);
  });

  it("reports an alias used before its anchor", () => {
    expect(
      issuesOf(lines(...header, "groups: *g", "x: &g [{ name: a, members: [{ user: a@example.com }] }]")),
    ).toEqual(["rules.yaml:3:9: unknown alias '*g': no anchor '&g' is defined before it"]);
  });

  it("reports an alias inside the node it refers to, which would be a loop", () => {
    expect(issuesOf(lines(...header, "groups: &g [{ name: a, members: *g }]"))).toEqual([
      "rules.yaml:3:33: alias '*g' is inside the node anchored '&g' that it refers to (a loop)",
    ]);
  });

  it("stops a billion-laughs alias bomb at the alias that crosses the cap", () => {
    const issues = issuesOf(billionLaughs());

    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      new RegExp(
        `^rules\\.yaml:\\d+:\\d+: aliases expand to more than ${yamlLimits.maxAliasExpansion} values; YAML aliases are capped to stop alias bombs$`,
      ),
    );
  });

  it("stops a merge-key bomb in a YAML 1.1 file the same way", () => {
    const levels = ["a0: &a0 { k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x, k9: x }"];
    for (let level = 1; level < 12; level++) {
      const previous = `*a${level - 1}`;
      levels.push(`a${level}: &a${level} { <<: [${Array(10).fill(previous).join(", ")}], n${level}: x }`);
    }
    const issues = issuesOf(
      lines("%YAML 1.1", "---", ...header, "x-bomb:", ...levels.map((line) => `  ${line}`)),
    );

    expect(issues).toEqual([expect.stringMatching(/^rules\.yaml:\d+:\d+: aliases expand to more than /)]);
  });

  it("reports a merge key whose value is not a map", () => {
    expect(issuesOf(lines("%YAML 1.1", "---", ...header, "a: &a 1", "sync: { <<: *a }"))).toEqual([
      "rules.yaml:6:13: a merge key '<<' takes a map, an alias of a map, or a list of those",
    ]);
  });

  it("refuses an alias used as a map key, which would hide a duplicate key", () => {
    expect(issuesOf(lines(...header, "x: &k version", "*k : 2"))).toEqual([
      "rules.yaml:4:1: an alias cannot be used as a map key",
    ]);
  });

  it("refuses a list or a map as a map key", () => {
    expect(issuesOf(lines(...header, "? [a, b]", ": 1", "? { c: d }", ": 2"))).toEqual([
      "rules.yaml:3:3: a map key must be a plain value, not a list or a map",
      "rules.yaml:5:3: a map key must be a plain value, not a list or a map",
    ]);
  });

  it("still accepts aliases that repeat a part of the rules a few times", () => {
    const result = loadRulesText(
      lines(
        ...header,
        "groups:",
        "  - name: developers",
        "    members: &engineers [{ orgUnit: /Engineering }]",
        "  - name: on-call",
        "    members: *engineers",
      ),
    );

    expect(result.ok ? [] : result.issues.map(formatRuleIssue)).toEqual([]);
    expect(result.ok && result.rules.groups[1]?.members).toEqual([
      { orgUnit: "/Engineering", recursive: true },
    ]);
  });
});

describe("nesting in the rules file", () => {
  it("refuses maps and lists nested deeper than the cap, once, where the cap is crossed", () => {
    const depth = yamlLimits.maxNesting + 10;
    const issues = issuesOf(lines(...header, `groups: ${"[".repeat(depth)}${"]".repeat(depth)}`));

    expect(issues).toEqual([
      `rules.yaml:3:${9 + yamlLimits.maxNesting}: maps and lists nest more than ${yamlLimits.maxNesting} levels deep`,
    ]);
  });

  it("refuses nesting far beyond what the YAML parser itself can take, without a crash", () => {
    const issues = issuesOf(lines(...header, `groups: ${"[".repeat(5_000)}${"]".repeat(5_000)}`));

    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((issue) => /^rules\.yaml:3:\d+: /.test(issue))).toBe(true);
  });
});

describe("YAML directives in the rules file", () => {
  it("refuses a YAML version it does not know", () => {
    expect(issuesOf(lines("%YAML 9.9", "---", ...header))).toEqual([
      "rules.yaml:1:7: unsupported YAML version 9.9: use %YAML 1.2 (or no directive)",
    ]);
  });

  it("refuses an unknown directive", () => {
    expect(issuesOf(lines("%FOO bar", "---", ...header))).toEqual([
      "rules.yaml:1:1: unknown YAML directive %FOO",
    ]);
  });

  it("accepts %YAML 1.2 and 1.1", () => {
    for (const version of ["1.2", "1.1"]) {
      const result = loadRulesText(lines(`%YAML ${version}`, "---", ...header));
      expect(result.ok ? [] : result.issues.map(formatRuleIssue)).toEqual([]);
    }
  });
});
