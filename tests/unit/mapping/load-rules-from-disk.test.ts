import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatRuleIssue, loadRules } from "../../../src/mapping/index.js";

const fixtures = join(import.meta.dirname, "../../fixtures/rules");
const temporaryFolders: string[] = [];

function aTemporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "idc-sync-rules-"));
  temporaryFolders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of temporaryFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe("loading rules from disk", () => {
  it("reads inline policy files next to the rules file and reports the broken and missing ones", async () => {
    const file = join(fixtures, "with-policy-files.yaml");

    const result = await loadRules(file);

    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.issues.map(formatRuleIssue);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(
      new RegExp(
        `^${escapeRegExp(file)}:13:19: inline policy file 'policies/truncated.json' is not valid JSON: `,
      ),
    );
    expect(messages[1]).toBe(
      `${file}:15:19: inline policy file 'policies/missing.json' does not exist or cannot be read (${join(fixtures, "policies/missing.json")})`,
    );
  });

  it("stores a policy file canonical", async () => {
    const folder = aTemporaryFolder();
    writeFileSync(join(folder, "policy.json"), '{ "Version": "2012-10-17",\n  "Statement": [] }');
    writeFileSync(
      join(folder, "rules.yaml"),
      "version: 1\ngoogle: { domains: [example.com] }\npermissionSets: [{ name: Dev, inlinePolicy: policy.json }]\n",
    );

    const result = await loadRules(join(folder, "rules.yaml"));

    expect(result.ok && result.rules.permissionSets[0]?.inlinePolicy).toBe(
      '{"Statement":[],"Version":"2012-10-17"}',
    );
  });

  it("loads the example rules file shipped in examples/", async () => {
    const result = await loadRules(join(import.meta.dirname, "../../../examples/rules.yaml"));

    expect(result.ok ? [] : result.issues.map(formatRuleIssue)).toEqual([]);
  });

  it("reports a rules file that does not exist as an issue, not a throw", async () => {
    const file = join(aTemporaryFolder(), "nope.yaml");

    const result = await loadRules(file);

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map(formatRuleIssue)).toEqual([
      expect.stringMatching(new RegExp(`^${escapeRegExp(file)}:1:1: cannot read the rules file: `)),
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
