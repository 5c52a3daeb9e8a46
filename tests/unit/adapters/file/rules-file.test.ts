import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fileLimits, loadRules } from "../../../../src/adapters/file/rules-file.js";
import { formatRuleIssue } from "../../../../src/mapping/index.js";

const fixtures = join(import.meta.dirname, "../../../fixtures/rules");
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
    expect(messages[1]).toBe(`${file}:15:19: inline policy file 'policies/missing.json' does not exist`);
  });

  it("stores a policy file canonical", async () => {
    const folder = aTemporaryFolder();
    writeFileSync(
      join(folder, "policy.json"),
      '{ "Version": "2012-10-17",\n  "Statement": [{ "Effect": "Deny", "Action": "iam:*", "Resource": "*" }] }',
    );
    writeFileSync(
      join(folder, "rules.yaml"),
      "version: 1\ngoogle: { domains: [example.com] }\npermissionSets: [{ name: Dev, inlinePolicy: policy.json }]\n",
    );

    const result = await loadRules(join(folder, "rules.yaml"));

    expect(result.ok && result.rules.permissionSets[0]?.inlinePolicy).toBe(
      '{"Statement":[{"Action":"iam:*","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}',
    );
  });

  it("loads the example rules file shipped in examples/", async () => {
    const result = await loadRules(join(import.meta.dirname, "../../../../examples/rules.yaml"));

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

describe("policy files a rules file from a pull request may name", () => {
  const secret = "SECRET-service-account-key-0123456789";

  /** A checkout: `repo/rules/rules.yaml` naming `policy`, with a secret JSON file beside the rules folder. */
  function aCheckout(policy: string): { folder: string; rulesFile: string } {
    const root = aTemporaryFolder();
    const folder = join(root, "rules");
    mkdirSync(join(folder, "policies"), { recursive: true });
    writeFileSync(join(root, "service-account-key.json"), JSON.stringify({ private_key: secret }));
    writeFileSync(join(root, "passwd"), `root:${secret}:0:0:root:/root:/bin/bash\n`);
    const rulesFile = join(folder, "rules.yaml");
    writeFileSync(
      rulesFile,
      `version: 1\ngoogle: { domains: [example.com] }\npermissionSets:\n  - name: Dev\n    inlinePolicy: ${JSON.stringify(policy)}\n`,
    );
    return { folder, rulesFile };
  }

  async function problemWith(policy: string, prepare: (folder: string) => void = () => {}): Promise<string> {
    const { folder, rulesFile } = aCheckout(policy);
    prepare(folder);
    const result = await loadRules(rulesFile);
    if (result.ok) throw new Error(`expected '${policy}' to be refused`);
    const messages = result.issues.map(formatRuleIssue);
    expect(messages).toHaveLength(1);
    expect(messages[0]).not.toContain(secret);
    return (messages[0] ?? "").replace(`${rulesFile}:5:19: `, "");
  }

  it("refuses a path that climbs out of the rules folder", async () => {
    expect(await problemWith("../service-account-key.json")).toBe(
      "inline policy file '../service-account-key.json' is outside the rules file's folder: policy files must be in that folder or below it",
    );
  });

  it("refuses absolute paths: /etc/passwd, /proc/self/environ, /dev/zero", async () => {
    for (const path of ["/etc/passwd", "/proc/self/environ", "/dev/zero"]) {
      expect(await problemWith(path)).toBe(
        `inline policy file '${path}' is an absolute path: write it relative to the rules file's folder`,
      );
    }
  });

  it("refuses a symbolic link in the rules folder that leads out of it", async () => {
    for (const target of ["../../service-account-key.json", "/proc/self/environ", "/dev/zero", "/etc"]) {
      expect(
        await problemWith("policies/p.json", (folder) =>
          symlinkSync(target, join(folder, "policies/p.json")),
        ),
      ).toBe(
        "inline policy file 'policies/p.json' leads outside the rules file's folder through a symbolic link",
      );
    }
  });

  it("refuses a folder whose link leads out, even when the file name looks harmless", async () => {
    expect(
      await problemWith("linked/service-account-key.json", (folder) =>
        symlinkSync("..", join(folder, "linked")),
      ),
    ).toBe(
      "inline policy file 'linked/service-account-key.json' leads outside the rules file's folder through a symbolic link",
    );
  });

  it("follows a link that stays inside the rules folder", async () => {
    const { folder, rulesFile } = aCheckout("current.json");
    writeFileSync(
      join(folder, "policies/v2.json"),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}',
    );
    symlinkSync("policies/v2.json", join(folder, "current.json"));

    const result = await loadRules(rulesFile);

    expect(result.ok && result.rules.permissionSets[0]?.inlinePolicy).toBe(
      '{"Statement":[{"Action":"iam:*","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}',
    );
  });

  it("refuses a named pipe without waiting for a writer", async () => {
    expect(
      await problemWith("policies/pipe.json", (folder) =>
        execFileSync("mkfifo", [join(folder, "policies/pipe.json")]),
      ),
    ).toBe("inline policy file 'policies/pipe.json' is not a regular file but a named pipe");
  });

  it("refuses a folder", async () => {
    expect(await problemWith("policies")).toBe(
      "inline policy file 'policies' is not a regular file but a folder",
    );
  });

  it("refuses a file over the size cap before reading it", async () => {
    const size = fileLimits.policyFileBytes + 1;
    expect(
      await problemWith("policies/huge.json", (folder) =>
        writeFileSync(join(folder, "policies/huge.json"), `{"Sid":"${"x".repeat(size)}"}`),
      ),
    ).toBe(
      `inline policy file 'policies/huge.json' is ${size + 10} bytes, more than the ${fileLimits.policyFileBytes} bytes allowed`,
    );
  });

  it("says where a file that is not JSON goes wrong, never what it says", async () => {
    expect(
      await problemWith("policies/notes.txt", (folder) =>
        writeFileSync(join(folder, "policies/notes.txt"), `{\n  "Version": "2012-10-17",\n  ${secret}\n}`),
      ),
    ).toBe(
      "inline policy file 'policies/notes.txt' is not valid JSON: line 3, column 3: unexpected character",
    );
  });

  it("refuses a file that is not UTF-8 text", async () => {
    expect(
      await problemWith("policies/binary.json", (folder) =>
        writeFileSync(join(folder, "policies/binary.json"), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
      ),
    ).toBe("inline policy file 'policies/binary.json' is not UTF-8 text");
  });

  it("refuses a rules file that is not a regular file, such as /dev/zero", async () => {
    const result = await loadRules("/dev/zero");

    expect(result.ok ? [] : result.issues.map(formatRuleIssue)).toEqual([
      "/dev/zero:1:1: cannot read the rules file: it is not a regular file but a device",
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
