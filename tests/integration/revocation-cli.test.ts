/**
 * `leavers.revokeSessions: scp` from the command, as an operator meets it: `validate` against AWS
 * Organizations says, at the rules' line, when SCPs cannot work there (disabled in the root, no slot
 * left on it; credentials that may not manage them are the same error, see the integration test of the
 * adapter); and a plan against a `file:` target, which has no Organizations,
 * shows each deny as not written instead of pretending.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AttachPolicyCommand, CreatePolicyCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import { aTemporaryIdentityCenter, examples, idcSync } from "../cli/cli-harness.js";
import { type AwsEmulator, startAwsEmulator } from "../emulators/aws/emulator.js";

let aws: AwsEmulator | undefined;
let dir: string;
let rulesFile: string;

async function start(options: { scpEnabled: boolean }): Promise<void> {
  const snapshot = await loadDirectorySnapshot(examples("directory.yaml"));
  const emulator = await startAwsEmulator({
    organization: snapshot.organization,
    organizationPolicies: { managementAccountId: "111111111111", scpEnabled: options.scpEnabled },
  });
  aws = emulator;
  vi.stubEnv("AWS_ENDPOINT_URL", emulator.url);
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "emulator-secret");
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "idc-sync-revocation-cli-"));
  await cp(examples("policies"), join(dir, "policies"), { recursive: true });
  rulesFile = join(dir, "rules.yaml");
  const example = await readFile(examples("rules.yaml"), "utf8");
  await writeFile(rulesFile, `${example.trimEnd()}\nleavers:\n  revokeSessions: scp\n`);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await aws?.close();
  aws = undefined;
  await rm(dir, { recursive: true, force: true });
});

const validate = () =>
  idcSync([
    "validate",
    "--rules",
    rulesFile,
    "--source",
    `file:${examples("directory.yaml")}`,
    "--accounts",
    "aws",
  ]);

describe("leavers.revokeSessions: scp from the command", () => {
  it("is a configuration error at validate time, at its line, where SCPs are not enabled", async () => {
    await start({ scpEnabled: false });
    const line = (await readFile(rulesFile, "utf8")).split("\n").indexOf("  revokeSessions: scp") + 1;

    const run = await validate();

    expect(run.exitCode).toBe(64);
    expect(run.stdout + run.stderr).toContain(
      `rules.yaml:${line}:19: leavers.revokeSessions: 'scp' cannot work in this organization: service control policies are not enabled in the root r-ab12`,
    );
  });

  it("is valid where a delegated administrator may manage SCPs, and an error where the root has no slot left", async () => {
    await start({ scpEnabled: true });
    aws!.organizationPolicies.setCaller("AKIDEXAMPLE", "222222222222");
    aws!.organizationPolicies.delegatePolicyManagement("222222222222");
    const allowed = await validate();
    const organizations = new OrganizationsClient({
      endpoint: aws!.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
    });
    // Four more SCPs beside FullAWSAccess: the root holds the five it may.
    for (const number of [1, 2, 3, 4]) {
      const created = await organizations.send(
        new CreatePolicyCommand({
          Name: `guardrail-${number}`,
          Description: "someone else's",
          Type: "SERVICE_CONTROL_POLICY",
          Content: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}',
        }),
      );
      await organizations.send(
        new AttachPolicyCommand({ PolicyId: created.Policy!.PolicySummary!.Id!, TargetId: "r-ab12" }),
      );
    }
    organizations.destroy();

    const full = await validate();

    expect(allowed.stdout).toContain("valid");
    expect(allowed.exitCode).toBe(0);
    expect(full.exitCode).toBe(64);
    expect(full.stdout + full.stderr).toContain(
      "leavers.revokeSessions: 'scp' cannot work in this organization: the root r-ab12 already has 5 SCPs attached, the most it may have (5): there is no slot for idc-sync's",
    );
  });

  it("plans a leaver's deny against a file: target as not written: such a target has no Organizations", async () => {
    const target = await aTemporaryIdentityCenter();
    const source = ["--source", `file:${examples("directory.yaml")}`];
    await idcSync(["apply", "--rules", rulesFile, ...source, "--target", `file:${target}`, "--yes"]);

    const plan = await idcSync([
      "plan",
      "--rules",
      rulesFile,
      "--source",
      `file:${examples("directory-next.yaml")}`,
      "--target",
      `file:${target}`,
    ]);

    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toMatch(
      /\+ revoke sessions of ren\.takahashi@example\.com until \S+Z \(longest session PT\d+H, \d accounts?\)/,
    );
    expect(plan.stdout).toContain(
      "! not written to a service control policy: service control policies are read and written only in AWS Organizations (--target aws)",
    );
  });
});
