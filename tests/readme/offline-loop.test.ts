/**
 * The README's offline loop, run exactly as written: the four `npx idc-sync` lines of the block under
 * the `offline-loop` marker, in a rules folder of their own. The two snapshots are taken from the live
 * systems (the Google Directory and AWS emulators, through the documented variables); then a rule that
 * names a Google group the rules never named before is added, and `validate` and `plan` run with no
 * credentials and no endpoints at all.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { examples, repoRoot } from "../cli/cli-harness.js";
import { type AwsEmulator, startAwsEmulator } from "../emulators/aws/emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../emulators/google-directory/emulator.js";

/** The lines of the README's offline loop block, as written. */
async function offlineLoopLines(): Promise<string[]> {
  const readme = await readFile(join(repoRoot, "README.md"), "utf8");
  const marker = readme.indexOf("<!-- offline-loop:");
  expect(marker).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker))?.[1] ?? "";
  return block.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
}

/** Runs one README line with bash in `folder`, with exactly `env` (plus PATH and HOME). */
async function run(line: string, folder: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", line], {
      cwd: folder,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? folder,
        NO_COLOR: "1",
        // npx finds idc-sync in the folder's node_modules/.bin; offline, it could never fetch another.
        npm_config_offline: "true",
        npm_config_update_notifier: "false",
        ...env,
      },
    });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("the README's offline loop, exactly as written", () => {
  let google: GoogleDirectoryEmulator;
  let aws: AwsEmulator;
  let folder: string;
  let live: Record<string, string>;

  beforeAll(async () => {
    const snapshot = await loadDirectorySnapshot(examples("directory.yaml"));
    google = await startGoogleDirectoryEmulator({ snapshot });
    aws = await startAwsEmulator({
      organization: snapshot.organization,
      state: await loadStateFile(examples("identity-center.json")),
    });
    live = {
      IDC_SYNC_GOOGLE_ROOT_URL: google.url,
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
    };
    folder = await mkdtemp(join(tmpdir(), "idc-sync-readme-"));
    await copyFile(examples("rules.yaml"), join(folder, "rules.yaml"));
    await mkdir(join(folder, "policies"));
    await copyFile(examples("policies/developer.json"), join(folder, "policies/developer.json"));
    // As after `npm install idc-sync` in the rules repository.
    await mkdir(join(folder, "node_modules/.bin"), { recursive: true });
    await symlink(join(repoRoot, "bin/idc-sync.mjs"), join(folder, "node_modules/.bin/idc-sync"));
  });
  afterAll(async () => {
    await google.close();
    await aws.close();
    await rm(folder, { recursive: true, force: true });
  });

  it("snapshots once with credentials, then validates and plans a new googleGroup rule with none", async () => {
    const lines = await offlineLoopLines();
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => line.startsWith("npx idc-sync "))).toBe(true);
    const [snapshotDirectory, snapshotIdentityCenter, validate, plan] = lines as [
      string,
      string,
      string,
      string,
    ];

    // Act 1: the snapshots, where the credentials are.
    for (const line of [snapshotDirectory, snapshotIdentityCenter]) {
      const result = await run(line, folder, live);
      expect(result.exitCode, `${line}\n${result.stderr}`).toBe(0);
    }
    const directory = parseYaml(await readFile(join(folder, "directory.yaml"), "utf8"));
    expect(directory.contents).toEqual({ groups: "all" });
    expect(directory.groups.map((group: { email: string }) => group.email)).toContain(
      "platform-team@example.com",
    );
    expect(directory.organization.accounts).toHaveLength(8);
    expect(directory.organization.organizationalUnits.length).toBeGreaterThan(0);

    // A rules change naming a Google group the rules never named: previewable offline.
    const rules = await readFile(join(folder, "rules.yaml"), "utf8");
    await writeFile(
      join(folder, "rules.yaml"),
      rules
        .replace(
          "permissionSets:\n",
          "  - name: platform\n    members:\n      - googleGroup: platform-team@example.com\n\npermissionSets:\n",
        )
        .replace(
          "\nsafety:",
          "  - groups: [platform]\n    permissionSets: [ReadOnly]\n    accounts: [prod]\n\nsafety:",
        ),
    );

    // Act 2: no credentials, no endpoints.
    const validated = await run(validate, folder, {});
    expect(validated.exitCode, validated.stderr).toBe(0);
    expect(validated.stdout).toBe("rules.yaml: valid\n");
    const planned = await run(plan, folder, {});
    expect(planned.exitCode, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/\+ group platform × ReadOnly × kaigodx-prod \(444444444444\)/);
    expect(planned.stdout).toMatch(/Plan: \d+ to add/);
  });
});
