/**
 * `idc-sync doctor` as an operator runs it (the real command, a child process, configured only through
 * the environment) against the Google and AWS emulators: every check passes on a good setup; a refused
 * call, an identity store the rules get wrong, an instance not ready, a Google admin without rights each
 * give one ✗ with its fix and the exit code that fits; a delegated administrator is a note, not a failure.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DirectorySnapshot, loadDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import type { IdentityCenterState } from "../../src/sync/model.js";
import { examples, idcSyncProcess } from "../cli/cli-harness.js";
import { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from "../emulators/aws/emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../emulators/google-directory/emulator.js";

const rules = ["--rules", "examples/rules.yaml"];

describe("idc-sync doctor against the emulators", () => {
  let snapshot: DirectorySnapshot;
  let state: IdentityCenterState;
  let google: GoogleDirectoryEmulator;
  let aws: AwsEmulator | undefined;
  let work: string;

  beforeAll(async () => {
    snapshot = await loadDirectorySnapshot(examples("directory.yaml"));
    state = await loadStateFile(examples("identity-center.json"));
    google = await startGoogleDirectoryEmulator({ snapshot });
    work = await mkdtemp(join(tmpdir(), "idc-sync-doctor-"));
  });
  afterEach(async () => {
    google.faults.clear();
    await aws?.close();
    aws = undefined;
  });
  afterAll(async () => {
    await google.close();
    await rm(work, { recursive: true, force: true });
  });

  async function doctor(
    args: string[],
    options: Partial<AwsEmulatorOptions> = {},
    prepare?: (aws: AwsEmulator) => void,
  ) {
    aws = await startAwsEmulator({ organization: snapshot.organization, state, ...options });
    prepare?.(aws);
    return idcSyncProcess(["doctor", ...args], {
      IDC_SYNC_GOOGLE_ROOT_URL: google.url,
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
      // A refusal is not retried; a throttled call would be, for up to this long.
      IDC_SYNC_RETRY_WINDOW_SECONDS: "5",
    });
  }

  it("passes every check on a good setup, then lists the console settings to check by hand, and exits 0", async () => {
    const run = await doctor(rules);

    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const checks = run.stdout.split("\n").filter((line) => /^[✓✗!-] /.test(line));
    expect(checks).toEqual([
      "✓ Rules: examples/rules.yaml is valid",
      "✓ AWS region: us-east-1",
      `✓ Identity Center instance: ${aws?.instanceArn} is ACTIVE (owned by account 000000000000), discovered: the rules name none`,
      `✓ Identity store: ${aws?.identityStoreId}, the instance's own`,
      "✓ identitystore:ListUsers: the identity store's users can be read",
      "✓ sso:ListPermissionSets: the permission sets can be read",
      "✓ sso:ListAccountAssignmentsForPrincipal: called from the management account: assignments are read per principal",
      expect.stringMatching(/^✓ organizations:DescribeOrganization: o-\w+, management account \d{12}$/),
      "✓ organizations:ListRoots: the organization's accounts and OUs can be read",
      "✓ Google users.list: the directory of customer my_customer can be read",
    ]);
    expect(run.stdout).toContain("Check by hand in the IAM Identity Center console");
    expect(run.stdout).toContain(
      '[ ] Settings > Authentication > Standard authentication > Configure: "Send email OTP" is Enabled',
    );
    expect(aws?.counts().writes).toBe(0);
  });

  it("says where a delegated administrator falls short, as a note that fails nothing", async () => {
    const delegated = "555555555555";
    const run = await doctor(rules, {
      identityCenterDelegatedAdministrator: delegated,
      // Organizations answers ListRoots to "a member account that is a delegated administrator for an AWS
      // service" (API_ListRoots): Identity Center's delegated administrator is one.
      organizationPolicies: { callers: { AKIDEXAMPLE: delegated }, delegatedAdministrators: [delegated] },
    });

    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain(
      "! sso:ListAccountAssignmentsForPrincipal: refused: these credentials are of a delegated administrator, not the management account\n" +
        "    note: fine for plan and apply (assignments are read per permission set and account instead, with more calls); access in the management account itself cannot be assigned from here",
    );
  });

  it("names a refused call and the right to grant, and exits 78", async () => {
    const run = await doctor(rules, {}, (emulator) =>
      emulator.faults.failNext(
        1,
        {
          type: "AccessDeniedException",
          message:
            "User: arn:aws:sts::000000000000:assumed-role/ops/me is not authorized to perform: identitystore:ListUsers",
        },
        { service: "identitystore", operation: "ListUsers" },
      ),
    );

    expect(run.exitCode).toBe(78);
    expect(run.stdout).toContain(
      "✗ identitystore:ListUsers: refused (AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/ops/me is not authorized to perform: identitystore:ListUsers)\n" +
        '    fix: allow identitystore:ListUsers to these credentials (README, "IAM permissions"; the deployed function\'s role has it)',
    );
    expect(run.stdout).toContain("1 check failed; plan and apply will not work until it is fixed.");
  });

  it("catches rules that name another identity store than the instance's, with the value to put there", async () => {
    const rulesFile = join(work, "rules.yaml");
    await cp(examples("policies"), join(work, "policies"), { recursive: true });
    const text = await readFile(examples("rules.yaml"), "utf8");
    const { instanceArn } = { instanceArn: "arn:aws:sso:::instance/ssoins-72230000a1b2c3d4" };
    await writeFile(
      rulesFile,
      text.replace(
        "version: 1\n",
        `version: 1\nidentityCenter:\n  instanceArn: ${instanceArn}\n  identityStoreId: d-0000000000\n`,
      ),
    );

    const run = await doctor(["--rules", rulesFile]);

    expect(run.exitCode).toBe(78);
    expect(run.stdout).toContain(
      `✗ Identity store: ${rulesFile} names d-0000000000, but the instance's identity store is d-9067a1b2c3\n` +
        `    fix: set identityCenter.identityStoreId: d-9067a1b2c3 in ${rulesFile}`,
    );
    // Without the store, its users are not read; the rest still is.
    expect(run.stdout).not.toContain("identitystore:ListUsers");
    expect(run.stdout).toContain("✓ organizations:ListRoots");
  });

  it("tells an instance still being created from a broken setup: exit 69, try again later", async () => {
    const run = await doctor(rules, { instanceStatus: "CREATE_IN_PROGRESS" });

    expect(run.exitCode).toBe(69);
    expect(run.stdout).toContain(
      `✗ Identity Center instance: ${aws?.instanceArn} is still being created (CREATE_IN_PROGRESS); until it is ACTIVE nothing else can be called\n` +
        "    fix: wait a few minutes and run idc-sync doctor again",
    );
  });

  it("says what to check when Google refuses the admin, and exits 78", async () => {
    google.faults.notAuthorized({ path: "/users" });

    const run = await doctor(rules);

    expect(run.exitCode).toBe(78);
    expect(run.stdout).toMatch(
      /✗ Google users\.list: 403 forbidden: Not Authorized to access this resource\/api\n {4}fix: Google refused the directory credentials/,
    );
    expect(run.stdout).toContain("domain-wide delegation is granted to the service account's client id");
  });

  it("skips what snapshot files stand in for", async () => {
    const run = await idcSyncProcess([
      "doctor",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      "--target",
      "file:examples/identity-center.json",
    ]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("- AWS: --target is the state file examples/identity-center.json");
    expect(run.stdout).toContain("- Google: --source is the snapshot examples/directory.yaml");

    const json = await idcSyncProcess([
      "doctor",
      ...rules,
      "--source",
      "file:examples/directory.yaml",
      "--target",
      "file:examples/identity-center.json",
      "--json",
    ]);
    const parsed = JSON.parse(json.stdout) as {
      checks: { name: string; status: string }[];
      exitCode: number;
    };
    expect(parsed.exitCode).toBe(0);
    expect(parsed.checks.map((check) => `${check.name}:${check.status}`)).toEqual([
      "Rules:passed",
      "AWS:skipped",
      "Google:skipped",
    ]);
  });
});
