/**
 * The whole command against both emulators, as an operator would run it: `--source google
 * --target aws`, with the real @googleapis/admin client and the real AWS SDK clients, configured only
 * through the documented environment variables.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { aTemporaryIdentityCenter, examples, idcSyncProcess } from "../cli/cli-harness.js";
import { type AwsEmulator, startAwsEmulator } from "../emulators/aws/emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../emulators/google-directory/emulator.js";

const rules = ["--rules", "examples/rules.yaml"];

describe("idc-sync --source google --target aws against the emulators", () => {
  let google: GoogleDirectoryEmulator;
  let aws: AwsEmulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    const snapshot = await loadDirectorySnapshot(examples("directory.yaml"));
    google = await startGoogleDirectoryEmulator({ snapshot });
    aws = await startAwsEmulator({
      organization: snapshot.organization,
      state: await loadStateFile(examples("identity-center.json")),
    });
    env = {
      IDC_SYNC_GOOGLE_ROOT_URL: google.url,
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
    };
  });
  afterAll(async () => {
    await google.close();
    await aws.close();
  });

  it("converges the example company, and a second plan exits 0 having written nothing", async () => {
    const apply = await idcSyncProcess(["apply", ...rules, "--yes"], env);
    expect(apply.stderr).not.toMatch(/idc-sync:/);
    expect(apply.exitCode).toBe(0);
    expect(apply.stdout).toMatch(/Apply: 92 applied, 0 failed/);

    const writesAfterApply = aws.counts().writes;
    const plan = await idcSyncProcess(["plan", ...rules, "--detailed-exitcode"], env);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toContain("No changes.");
    expect(aws.counts().writes).toBe(writesAfterApply);

    const state = aws.state();
    expect(state.users.find((user) => user.userName === "breakglass@example.com")).toBeDefined();
    expect(state.groups.find((group) => group.displayName === "AWSControlTowerAdmins")?.members).toEqual([
      "breakglass@example.com",
    ]);
  });

  it("reports access outside the rules too: an unmanaged group's members and assignments are read", async () => {
    const run = await idcSyncProcess(["report", "access", ...rules, "--format", "json"], env);
    expect(run.stderr).not.toMatch(/idc-sync:/);
    expect(run.exitCode).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.paths).toContainEqual(
      expect.objectContaining({
        person: "breakglass@example.com",
        accountId: "999999999999",
        permissionSet: "AWSAdministratorAccess",
        group: "AWSControlTowerAdmins",
        status: "unmanaged",
      }),
    );
    expect(report.summary.paths).toMatchObject({ pending: 0, unexplained: 0, unmanaged: 1 });
  });

  it("snapshots Identity Center into a state file that plans the same offline", async () => {
    const out = join(await aTemporaryIdentityCenter(), "..", "captured.json");
    const snapshot = await idcSyncProcess(["snapshot", "identity-center", ...rules, "--out", out], env);
    expect(snapshot.exitCode).toBe(0);
    const captured = JSON.parse(await readFile(out, "utf8"));
    expect(captured.permissionSets.map((set: { name: string }) => set.name)).toEqual([
      "Admin",
      "Developer",
      "ReadOnly",
    ]);

    const offline = await idcSyncProcess([
      "plan",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      "--target",
      `file:${out}`,
      "--detailed-exitcode",
    ]);
    expect(offline.exitCode).toBe(0);
  });
});
