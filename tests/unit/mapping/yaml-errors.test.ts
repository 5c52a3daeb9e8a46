import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { formatRuleIssue } from "../../../src/mapping/index.js";
import { loadRulesText } from "../../builders/rules.js";

const lines = (...text: string[]) => `${text.join("\n")}\n`;

/** What the parser itself says about a text: one line per error. */
function rawErrors(text: string): string[] {
  const document = parseDocument(text, {
    lineCounter: new LineCounter(),
    prettyErrors: false,
    uniqueKeys: true,
  });
  return document.errors.map((error) => error.message.split("\n")[0] ?? "");
}

function issuesOf(text: string): string[] {
  const result = loadRulesText(text);
  if (result.ok) throw new Error("expected the rules not to load");
  return result.issues.map(formatRuleIssue);
}

describe("YAML slips, one clear message each", () => {
  it("says once, at the item, that a list item lost the space after its dash (the parser says it four times)", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "groups:",
      "  - name: a",
      "  -name: b",
      "  - name: c",
    );

    expect(rawErrors(text).length).toBeGreaterThanOrEqual(3);
    expect(issuesOf(text)).toEqual([
      "rules.yaml:5:3: '-' needs a space after it to start a list item ('- name: b')",
    ]);
  });

  it("points at the opening quote of a value never closed (the parser points at the end of the file, three times)", () => {
    const text = lines("version: 1", 'google: { domains: ["example.com] }', "groups: []");

    expect(rawErrors(text)).toHaveLength(3);
    expect(issuesOf(text)).toEqual([
      'rules.yaml:2:21: a value opened with " is never closed: add the closing " (everything after it was read as part of the value)',
    ]);
  });

  it("places a slip at its own line, not at the comment above it", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "groups:",
      "  - name: a",
      "    members: []",
      "  # the next group",
      "   - name: b",
    );

    expect(issuesOf(text)[0]).toMatch(/^rules\.yaml:7:/);
  });

  it("still reports the mistakes elsewhere in the file", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "groups:",
      "  - name: developers",
      "    members:",
      "      - orgUnit: /Engineering",
      "     exclude: []",
      "permissionSets:",
      "  - name: Dev",
      "    sessionDuration: PT24H",
      "assignments:",
      "  - groups: [developer]",
      "    permissionSets: [Dev]",
      "    accounts: ['111111111111']",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:7:6: this key is not lined up with the keys above it: keys of one map start in the same column",
      "rules.yaml:10:22: permissionSets[0].sessionDuration: session duration 'PT24H' must be between PT1H and PT12H",
      "rules.yaml:12:14: unknown group 'developer' in assignments[0].groups; did you mean 'developers'?",
    ]);
  });

  it("says a key needs a space after its colon when YAML read the line as one string", () => {
    expect(issuesOf(lines("version: 1", "google:", "  domains:[example.com]"))).toEqual([
      "rules.yaml:3:3: google: expected a map, got 'domains:[example.com]' (a ':' needs a space after it to start a key)",
    ]);
  });
});
